package memstore

import (
	"context"
	"time"
)

// janitor is the goroutine that removes expired records periodically.
type janitor struct {
	ctx  context.Context    // done once halt is called
	halt context.CancelFunc // stops the goroutine; idempotent
	done chan struct{}      // closed when run returns
}

func newJanitor() *janitor {
	ctx, cancel := context.WithCancel(context.Background())
	return &janitor{ctx: ctx, halt: cancel, done: make(chan struct{})}
}

// run deletes expired records every interval until halt is called. A
// sweep in progress stops between shards when halted.
func (j *janitor) run(c *core, interval time.Duration) {
	defer close(j.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-j.ctx.Done():
			return
		case <-ticker.C:
			c.deleteExpired(j.ctx, 0)
		}
	}
}
