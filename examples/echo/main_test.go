package main

import (
	"testing"

	"github.com/tetherweb/tether/examples/internal/walk"
)

// TestEcho serves the example and walks it: a session value, a
// message shown once, a POST refused without the CSRF token (403) and
// accepted with it.
func TestEcho(t *testing.T) { walk.Serve(t, newApp) }
