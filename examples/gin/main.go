// Command gin is tether under Gin (github.com/gin-gonic/gin), with
// package tethergin turning tether's middleware into gin.HandlerFunc
// (so that sessions and messages are saved as Gin sends the headers).
//
//	go run ./examples/gin   # http://localhost:8000
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/examples/internal/page"
	tethergin "github.com/tetherweb/tether/integrations/gin"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// newApp returns the site: sessions in store, messages in the session,
// CSRF tokens in a cookie.
func newApp(store session.Store) (*gin.Engine, error) {
	sessions := &session.Manager{Store: store}
	flashes := &messages.Manager{}
	protect, err := csrf.Protect(csrf.Options{})
	if err != nil {
		return nil, err
	}
	r := gin.New()
	r.Use(gin.Logger(), gin.Recovery())
	// Sessions outside messages (kept in the session), CSRF inside both.
	r.Use(tethergin.Wrap(sessions.Middleware), tethergin.Wrap(flashes.Middleware), tethergin.Wrap(protect))
	r.GET("/", home)
	r.POST("/name", saveName)
	return r, nil
}

// home shows the page, rendered into a buffer first and then written,
// so that the messages it shows are consumed and the CSRF cookie goes
// out with the headers. (Gin's c.HTML executes its template straight into
// the response: a template that shows messages or a CSRF field must be
// rendered into a buffer and sent with c.Data instead.)
func home(c *gin.Context) { page.Render(c.Writer, c.Request, "Gin") }

func saveName(c *gin.Context) {
	name := c.PostForm("name")
	if err := session.From(c.Request).Set("name", name); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	messages.Success(c.Request, "Saved, "+name+".")
	c.Redirect(http.StatusSeeOther, "/")
}

func main() {
	addr := flag.String("addr", "localhost:8000", "where to listen")
	flag.Parse()
	store := memstore.New()
	defer store.Close()
	r, err := newApp(store)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("tether with Gin on http://%s", *addr)
	log.Fatal(r.Run(*addr))
}
