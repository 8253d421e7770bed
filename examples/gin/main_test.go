package main

import (
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tetherweb/tether/examples/internal/walk"
)

func init() { gin.SetMode(gin.TestMode) } // no debug-mode banner in the test log

// TestGin serves the example and walks it: a session value, a message
// shown once, a POST refused without the CSRF token (403) and accepted
// with it.
func TestGin(t *testing.T) { walk.Serve(t, newApp) }
