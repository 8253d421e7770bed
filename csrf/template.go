package csrf

import (
	"html/template"
	"net/http"
)

// TemplateField returns the hidden form field carrying a fresh token
// (Django's {% csrf_token %}):
//
//	<input type="hidden" name="csrfmiddlewaretoken" value="...">
//
// It calls Token, so the same timing rule applies: render before the
// response's first byte is written. It returns "" where Token does
// (HeaderOnly mode, no middleware), so templates need no change when the
// token layer is off.
func TemplateField(r *http.Request) template.HTML {
	t := Token(r)
	if t == "" {
		return ""
	}
	name := template.HTMLEscapeString(stateFrom(r).g.fieldName)
	return template.HTML(`<input type="hidden" name="` + name + `" value="` + t + `">`)
}

// FuncMap returns the template functions "csrfField" (TemplateField),
// "csrfToken" (Token) and "csrfHXHeaders" (HXHeaders, for htmx's
// hx-headers attribute), all taking the *http.Request. Add them with
// template.New("page").Funcs(csrf.FuncMap()), pass the request in the
// data, and write inside each form:
//
//	<form method="post">{{csrfField .Request}} ... </form>
//
// For JavaScript, put the token in the page, for instance
// <meta name="csrf-token" content="{{csrfToken .Request}}">, and send it
// back in the X-CSRFToken header. With htmx, put the header on an element
// that holds every htmx control (the body, say):
//
//	<body hx-headers='{{csrfHXHeaders .Request}}'>
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"csrfField":     TemplateField,
		"csrfToken":     Token,
		"csrfHXHeaders": HXHeaders,
	}
}
