package redisstore

// Durable marks the store as one that keeps every live record until it
// expires (session.Durable), so it can hold a per-user index
// (session.NewUserIndex).
func (s *Store) Durable() {}

// Redis keeps that promise under its default maxmemory-policy,
// noeviction; a server configured to evict keys (allkeys-* or volatile-*)
// can drop a user's index and hide sessions from RevokeUser. Keep sessions
// on a Redis that does not evict.
