package messages

import (
	"html/template"
	"net/http"
)

// FuncMap returns the template functions of the package, for
// html/template's Funcs:
//
//   - messages(r *http.Request) []Message: Get.
//
// With the request in the template's data, the tutorial's block is one line:
//
//	{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.HTML}}</li>{{end}}</ul>{{end}}
//
// {{.HTML}} (or {{.}}) escapes the text; only a message added with AddHTML
// keeps its markup with {{.HTML}}. Execute the template into a buffer, not
// straight into the ResponseWriter: the messages are consumed only if they
// are read before the response's headers are written.
func FuncMap() template.FuncMap {
	return template.FuncMap{"messages": func(r *http.Request) []Message { return Get(r) }}
}
