// Package page is the one page the router examples (examples/chi,
// examples/echo, examples/gin) serve, the same under every router, so
// that package walk can drive each of them the same way.
package page

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
)

var page = template.Must(template.New("page").Funcs(messages.FuncMap()).Funcs(csrf.FuncMap()).Parse(
	`<!doctype html><title>tether with {{.Router}}</title>
<p id="name">{{.Name}}</p>
{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="/name">{{csrfField .Request}}<input name="name"> <button>Save</button></form>`))

// Render writes the page for r: the session's "name", the pending
// messages (which it consumes) and a form posting a new name to /name
// with its CSRF field. It renders into a buffer first and writes only
// then, so that the messages are consumed and the CSRF cookie goes out
// with the headers; a template error is a 500.
func Render(w http.ResponseWriter, r *http.Request, router string) {
	name, _ := session.Value[string](session.From(r), "name")
	var buf bytes.Buffer
	if err := page.Execute(&buf, map[string]any{"Request": r, "Name": name, "Router": router}); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}
