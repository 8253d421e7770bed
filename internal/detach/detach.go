// Package detach bounds a blocking call that takes no context (or ignores
// its deadline) by a context: the call runs in a goroutine of its own, and
// the caller gets its result or, once the context is done, the context's
// error. The network stores use it for clients that cannot apply a
// context's deadline to a request already sent, so that a server that
// stopped answering costs a caller its deadline, not the client's own
// timeouts and retries.
package detach

import "context"

// result is what a call returns.
type result[T any] struct {
	v   T
	err error
}

// Run runs call in a new goroutine and returns its result, or ctx.Err()
// once ctx is done, whichever comes first. A call given up on runs on in
// the background until it returns by itself (bound it with the client's
// own timeouts), and its result is dropped: the outcome of a write given
// up on is unknown, as after any timeout. Run starts no goroutine when ctx
// is done already.
func Run[T any](ctx context.Context, call func() (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	done := make(chan result[T], 1) // buffered: a call given up on never blocks
	go func() {
		v, err := call()
		done <- result[T]{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
