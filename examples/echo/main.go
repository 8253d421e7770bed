// Command echo is tether under Echo (github.com/labstack/echo/v4), with
// package tetherecho turning tether's middleware into Echo middleware (so
// that a handler's returned error is answered before sessions and
// messages are saved).
//
//	go run ./examples/echo   # http://localhost:8000
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/examples/internal/page"
	tetherecho "github.com/tetherweb/tether/integrations/echo"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// newApp returns the site: sessions in store, messages in the session,
// CSRF tokens in a cookie.
func newApp(store session.Store) (*echo.Echo, error) {
	sessions := &session.Manager{Store: store}
	flashes := &messages.Manager{}
	protect, err := csrf.Protect(csrf.Options{})
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	// Sessions outside messages (kept in the session), CSRF inside both.
	e.Use(tetherecho.Wrap(sessions.Middleware), tetherecho.Wrap(flashes.Middleware), tetherecho.Wrap(protect))
	e.GET("/", home)
	e.POST("/name", saveName)
	return e, nil
}

// home shows the page (rendered into a buffer first, so that the
// messages it shows are consumed and the CSRF cookie goes out with the
// headers).
func home(c echo.Context) error {
	page.Render(c.Response(), c.Request(), "Echo")
	return nil
}

func saveName(c echo.Context) error {
	r := c.Request()
	name := c.FormValue("name")
	if err := session.From(r).Set("name", name); err != nil {
		return err
	}
	messages.Success(r, "Saved, "+name+".")
	return c.Redirect(http.StatusSeeOther, "/")
}

func main() {
	addr := flag.String("addr", "localhost:8000", "where to listen")
	flag.Parse()
	store := memstore.New()
	defer store.Close()
	e, err := newApp(store)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("tether with Echo on http://%s", *addr)
	log.Fatal(e.Start(*addr))
}
