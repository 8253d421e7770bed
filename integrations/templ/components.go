package tethertempl

import (
	"context"
	"html/template"
	"io"
	"net/http"

	"github.com/a-h/templ"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
)

// messagesList is the block messages.FuncMap documents, so that the
// component's markup and escaping are html/template's own.
var messagesList = template.Must(template.New("messages").Funcs(messages.FuncMap()).Parse(
	`{{with messages .}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.HTML}}</li>{{end}}</ul>{{end}}`))

// Messages renders r's pending messages, and marks them read
// (messages.Get), as
//
//	<ul class="messages"><li class="TAGS">TEXT</li>...</ul>
//
// with each message's tags (Message.Tags) as its class and its text
// escaped (the markup of a message added with messages.AddHTML is kept).
// With no messages it renders nothing. r must have passed through a
// messages.Manager's middleware.
func Messages(r *http.Request) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return messagesList.Execute(w, r)
	})
}

// CSRFField renders the hidden form field carrying a fresh CSRF token
// (csrf.TemplateField):
//
//	<input type="hidden" name="csrfmiddlewaretoken" value="...">
//
// It renders nothing where csrf.TemplateField returns "" (HeaderOnly
// mode, no csrf middleware).
func CSRFField(r *http.Request) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, string(csrf.TemplateField(r)))
		return err
	})
}

// HXHeaders returns the hx-headers attribute that makes htmx send a
// fresh CSRF token with every request of the element it is spread on
// (csrf.HXHeaders), for templ's attribute spreading:
//
//	<body { tethertempl.HXHeaders(r)... }>
//
// templ escapes the JSON value as html/template does. The token is made
// when HXHeaders is called, so call it while rendering the page, before
// the response's headers are written.
func HXHeaders(r *http.Request) templ.Attributes {
	return templ.Attributes{"hx-headers": csrf.HXHeaders(r)}
}
