package detach_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tetherweb/tether/internal/detach"
)

func Example() {
	// A client call that takes no context and hangs for a second.
	slowGet := func() (string, error) {
		time.Sleep(time.Second)
		return "value", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := detach.Run(ctx, slowGet)
	fmt.Println(err)
	// Output: context deadline exceeded
}
