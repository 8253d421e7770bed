package main

import (
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/examples/internal/walk"
	"github.com/tetherweb/tether/store/memstore"
)

// TestEcho serves the example and walks it: session, message once, POST
// refused without the token and accepted with it.
func TestEcho(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	app, err := newApp(store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	walk.Run(t, srv.URL)
}
