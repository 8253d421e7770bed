package dsn_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"

	// The stores this program accepts register their schemes.
	_ "github.com/tetherweb/tether/store/cookiestore"
	_ "github.com/tetherweb/tether/store/memstore"
)

// A session store chosen by a flag or an environment variable: the
// program imports the stores it accepts, and Open picks by the scheme.
func Example() {
	store, err := dsn.Open("memory:", dsn.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	m := &session.Manager{}
	store.Configure(m) // m.Store, or m.CookieStore for cookie:
	_ = m.Middleware(http.NotFoundHandler())
	fmt.Println(m.Store != nil, store.Django)

	// A scheme whose store the program does not import is refused.
	_, err = dsn.Open("nosuch:x", dsn.Options{})
	fmt.Println(err != nil)
	// Output:
	// true false
	// true
}
