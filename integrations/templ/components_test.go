package tethertempl_test

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/a-h/templ"
	templruntime "github.com/a-h/templ/runtime"

	"github.com/tetherweb/tether/csrf"
	tethertempl "github.com/tetherweb/tether/integrations/templ"
	"github.com/tetherweb/tether/messages"
)

var quiet = slog.New(slog.DiscardHandler)

// stack is messages (cookie storage) around csrf around h.
func stack(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	g, err := csrf.New(csrf.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m := &messages.Manager{Storage: messages.NewCookieStorage([]byte("tethertempl test key")), Logger: quiet}
	return m.Middleware(g.Protect(h))
}

// htmlTemplateBlock is messages.FuncMap's documented block.
var htmlTemplateBlock = template.Must(template.New("").Funcs(messages.FuncMap()).Parse(
	`{{with messages .}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.HTML}}</li>{{end}}</ul>{{end}}`))

// TestMessagesEscapedAsHTMLTemplate: the component's output is what
// html/template renders for the same messages, byte for byte, with
// tricky text, tags and a safe message; and it consumes them.
func TestMessagesEscapedAsHTMLTemplate(t *testing.T) {
	var got, want string
	h := stack(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/add" {
			messages.Success(r, `<script>alert("x")</script> & 'q' + ü`, `a"b`, "c<d")
			messages.AddHTML(r, messages.LevelInfo, `<a href="/posts/1">View</a>`)
			messages.Error(r, "\x00nul and \u2028")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var buf bytes.Buffer
		if err := tethertempl.Messages(r).Render(r.Context(), &buf); err != nil {
			t.Error(err)
		}
		got = buf.String()
		buf.Reset()
		htmlTemplateBlock.Execute(&buf, r) // Get returns the same messages again in a request
		want = buf.String()
		w.Write([]byte(got))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/add", nil))
	cookies := rec.Result().Cookies()

	req := httptest.NewRequest("GET", "http://example.com/", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got != want {
		t.Fatalf("templ:          %q\nhtml/template: %q", got, want)
	}
	for _, s := range []string{
		`<li class="a&#34;b c&lt;d success">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39; + ü</li>`,
		`<li class="info"><a href="/posts/1">View</a></li>`,
		`<li class="error">` + "\uFFFDnul and \u2028</li>",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("output lacks %q:\n%s", s, got)
		}
	}
	// Consumed: the cookie is deleted, and an empty list renders nothing.
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Fatalf("cookie after rendering: %v", c)
	}
	var out bytes.Buffer
	h = stack(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tethertempl.Messages(r).Render(r.Context(), &out)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if out.Len() != 0 {
		t.Fatalf("no messages rendered %q", out.String())
	}
}

// TestCSRFFieldAndHXHeaders: the field and the spread attribute carry
// tokens that pass the check; the attribute's JSON is escaped as
// html/template escapes it.
func TestCSRFFieldAndHXHeaders(t *testing.T) {
	var field, attrs string
	h := stack(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			io.WriteString(w, "ok")
			return
		}
		var buf bytes.Buffer
		tethertempl.CSRFField(r).Render(r.Context(), &buf)
		field = buf.String()
		buf.Reset()
		if err := templruntime.RenderAttributes(r.Context(), &buf, io.Discard, "body", tethertempl.HXHeaders(r)); err != nil {
			t.Error(err)
		}
		attrs = buf.String()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/", nil))
	cookie := rec.Result().Cookies()[0]

	const fieldPrefix = `<input type="hidden" name="csrfmiddlewaretoken" value="`
	if !strings.HasPrefix(field, fieldPrefix) || len(field) != len(fieldPrefix)+csrf.TokenLength+2 {
		t.Fatalf("field %q", field)
	}
	const attrPrefix = ` hx-headers="{&#34;X-CSRFToken&#34;:&#34;`
	if !strings.HasPrefix(attrs, attrPrefix) || !strings.HasSuffix(attrs, `&#34;}"`) {
		t.Fatalf("attributes %q", attrs)
	}
	// html/template renders the same value in a quoted attribute.
	var want bytes.Buffer
	jsonValue := `{"X-CSRFToken":"` + attrs[len(attrPrefix):len(attrs)-len(`&#34;}"`)] + `"}`
	template.Must(template.New("").Parse(` hx-headers="{{.}}"`)).Execute(&want, jsonValue)
	if want.String() != attrs {
		t.Fatalf("templ %q, html/template %q", attrs, want.String())
	}

	post := func(form url.Values, header string) int {
		req := httptest.NewRequest("POST", "http://example.com/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
		if header != "" {
			req.Header.Set("X-CSRFToken", header)
		}
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	fieldToken := field[len(fieldPrefix) : len(fieldPrefix)+csrf.TokenLength]
	headerToken := attrs[len(attrPrefix) : len(attrPrefix)+csrf.TokenLength]
	if c := post(url.Values{"csrfmiddlewaretoken": {fieldToken}}, ""); c != 200 {
		t.Errorf("form token: %d", c)
	}
	if c := post(nil, headerToken); c != 200 {
		t.Errorf("hx-headers token: %d", c)
	}
	if c := post(nil, ""); c != 403 {
		t.Errorf("no token: %d", c)
	}
}

// TestHeaderOnlyRendersNoField: without a token layer the field renders
// nothing and hx-headers is an empty object.
func TestHeaderOnlyRendersNoField(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	var field bytes.Buffer
	var attrs templ.Attributes
	g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tethertempl.CSRFField(r).Render(r.Context(), &field)
		attrs = tethertempl.HXHeaders(r)
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if field.Len() != 0 || attrs["hx-headers"] != "{}" {
		t.Fatalf("field %q, attributes %v", field.String(), attrs)
	}
}
