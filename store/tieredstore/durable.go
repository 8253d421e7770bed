package tieredstore

// Durable marks the store as one that keeps every live record until it
// expires (session.Durable), so it can hold a per-user index
// (session.NewUserIndex): its records live in the durable store, whatever
// the cache evicts.
func (s *Store) Durable() {}
