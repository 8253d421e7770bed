package messages_test

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// page is the tutorial's messages block, one line with FuncMap's
// "messages".
var page = template.Must(template.New("page").Funcs(messages.FuncMap()).Parse(
	`{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.HTML}}</li>{{end}}</ul>{{end}}` +
		`<p>{{.Body}}</p>`))

// render executes the page into a buffer first: the messages are consumed
// only when they are read before the response's headers are written.
func render(w http.ResponseWriter, r *http.Request, body string) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, map[string]any{"Request": r, "Body": body}); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	buf.WriteTo(w)
}

// The tutorial's flow: a form post adds messages and redirects; the next
// page shows them once, the page after that shows none.
func Example_template() {
	store := memstore.New()
	defer store.Close()
	sessions := &session.Manager{Store: store}
	msgs := &messages.Manager{Storage: messages.NewFallbackStorage([]byte("a long random secret key"))}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /posts/new", func(w http.ResponseWriter, r *http.Request) {
		messages.Success(r, "The post has been saved.")
		messages.Warning(r, "Your account expires in three days.", "account", "expiry")
		messages.AddHTML(r, messages.LevelInfo, `<a href="/posts/1">View it</a>`)
		messages.Info(r, "Tags like <script> are escaped.")
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, "Home")
	})
	srv := httptest.NewServer(sessions.Middleware(msgs.Middleware(mux)))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	show := func(res *http.Response, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		fmt.Println(strings.ReplaceAll(string(b), "<li", "\n  <li"))
	}
	show(client.PostForm(srv.URL+"/posts/new", url.Values{"title": {"Hello"}})) // follows the redirect
	show(client.Get(srv.URL + "/"))
	// Output:
	// <ul class="messages">
	//   <li class="success">The post has been saved.</li>
	//   <li class="account expiry warning">Your account expires in three days.</li>
	//   <li class="info"><a href="/posts/1">View it</a></li>
	//   <li class="info">Tags like &lt;script&gt; are escaped.</li></ul><p>Home</p>
	// <p>Home</p>
}

type article struct{ Title string }

var saved = messages.MustSuccessMessage("{{.Title}} post saved.")

// OnSuccess adds the success message only when the save succeeds, as
// Django's SuccessMessageMixin.
func ExampleOnSuccess() {
	h := (&messages.Manager{Storage: messages.NewCookieStorage([]byte("secret"))}).Middleware(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := messages.OnSuccess(r, saved, func() (article, error) {
				if r.FormValue("title") == "" {
					return article{}, errors.New("a title is required")
				}
				return article{Title: r.FormValue("title")}, nil
			})
			if err != nil {
				messages.Error(r, "Please check the input again.")
			}
			for _, m := range messages.Get(r) {
				fmt.Printf("%s: %s\n", m.LevelTag(), m)
			}
		}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/?title=Hello", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
	// Output:
	// success: Hello post saved.
	// error: Please check the input again.
}

// A level of one's own, with its tag, and a minimum level that lets debug
// messages through.
func ExampleManager_customLevel() {
	const critical messages.Level = 50
	m := &messages.Manager{
		Storage:  messages.NewCookieStorage([]byte("secret")),
		MinLevel: messages.LevelDebug,
		Tags:     map[messages.Level]string{critical: "critical", messages.LevelError: "danger"},
	}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		messages.Add(r, critical, "Disk full.")
		messages.Error(r, "Upload failed.", "upload")
		messages.Debug(r, "took 3 tries")
		for m := range messages.All(r) {
			fmt.Printf("%d %q\n", m.Level(), m.Tags())
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// 50 "critical"
	// 40 "upload danger"
	// 10 "debug"
}

// An htmx button posts to /cart and swaps in the fragment it gets back;
// the fragment has no messages block, so the message travels in the
// HX-Trigger header, where a listener on the page shows it as a toast.
// The same POST without htmx (a plain form) redirects, and the next page
// shows the message as usual.
func ExampleHTMX() {
	msgs := &messages.Manager{
		Storage: messages.NewCookieStorage([]byte("a long random secret key")),
		HTMX:    &messages.HTMX{}, // event "messages", 2048 bytes at most
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart", func(w http.ResponseWriter, r *http.Request) {
		messages.Success(r, "Added to your cart: a café crème.")
		if r.Header.Get("HX-Request") != "true" {
			http.Redirect(w, r, "/cart", http.StatusSeeOther)
			return
		}
		io.WriteString(w, `<span id="cart-count">1</span>`)
	})
	site := msgs.Middleware(mux)

	req := httptest.NewRequest("POST", "/cart", nil)
	req.Header.Set("HX-Request", "true")
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	fmt.Println(rec.Header().Get("HX-Trigger"))
	fmt.Println(len(rec.Result().Cookies())) // nothing left to store
	// Output:
	// <span id="cart-count">1</span>
	// {"messages":[{"text":"Added to your cart: a caf\u00e9 cr\u00e8me.","level":25,"tags":"success"}]}
	// 0
}
