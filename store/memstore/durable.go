package memstore

// Durable marks the store as one that keeps every live record until it
// expires (session.Durable), so it can hold a per-user index
// (session.NewUserIndex).
func (s *Store) Durable() {}
