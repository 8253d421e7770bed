// Package tethertempl renders tether's template helpers as templ
// (github.com/a-h/templ) components: the flash messages list, the CSRF
// form field and htmx's hx-headers attribute. It lives apart from
// packages messages and csrf, so that they do not depend on templ.
//
// The components are written by hand as templ.ComponentFunc values (no
// templ code generation is involved), and escape exactly as html/template
// does: the messages list is rendered by an html/template, the same one
// as messages.FuncMap's documented block. Use them like any component:
//
//	templ page(r *http.Request) {
//		<body { tethertempl.HXHeaders(r)... }>
//			@tethertempl.Messages(r)
//			<form method="post">
//				@tethertempl.CSRFField(r)
//				<button>Save</button>
//			</form>
//		</body>
//	}
//
// The same timing rule as with html/template applies: messages are
// consumed, and a new CSRF cookie is sent, only when the component is
// rendered before the response's headers go out. templ.Handler renders
// into a buffer first by default, which is what is needed; with
// templ.WithStreaming, render Messages and CSRFField before anything is
// flushed.
package tethertempl
