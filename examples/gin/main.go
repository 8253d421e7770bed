// Command gin is tether under Gin (github.com/gin-gonic/gin), with
// package tethergin turning tether's middleware into gin.HandlerFunc
// (so that sessions and messages are saved as Gin sends the headers).
//
//	go run ./examples/gin   # http://localhost:8000
package main

import (
	"bytes"
	"flag"
	"html/template"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tetherweb/tether/csrf"
	tethergin "github.com/tetherweb/tether/integrations/gin"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

var page = template.Must(template.New("page").Funcs(messages.FuncMap()).Funcs(csrf.FuncMap()).Parse(
	`<!doctype html><title>tether with Gin</title>
<p id="name">{{.Name}}</p>
{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="/name">{{csrfField .Request}}<input name="name"> <button>Save</button></form>`))

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

// home renders the page into a buffer and sends it with c.Data (c.HTML
// would execute the template straight into the response, after the
// headers went out, too late to consume the messages it shows or to send
// the CSRF cookie).
func home(c *gin.Context) {
	name, _ := session.Value[string](session.From(c.Request), "name")
	var buf bytes.Buffer
	if err := page.Execute(&buf, map[string]any{"Request": c.Request, "Name": name}); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

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
