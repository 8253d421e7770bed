package tethertempl_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/a-h/templ"

	"github.com/tetherweb/tether/csrf"
	tethertempl "github.com/tetherweb/tether/integrations/templ"
	"github.com/tetherweb/tether/messages"
)

// A page built from the components, served with templ.Handler (which
// renders into a buffer before writing, so the messages are consumed and
// the CSRF cookie is sent). In a .templ file the page would read:
//
//	templ page(r *http.Request) {
//		@tethertempl.Messages(r)
//		<form method="post">@tethertempl.CSRFField(r)<button>Save</button></form>
//	}
func Example() {
	page := func(r *http.Request) templ.Component {
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			if err := tethertempl.Messages(r).Render(ctx, w); err != nil {
				return err
			}
			io.WriteString(w, `<form method="post">`)
			if err := tethertempl.CSRFField(r).Render(ctx, w); err != nil {
				return err
			}
			_, err := io.WriteString(w, `<button>Save</button></form>`)
			return err
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		messages.Info(r, "Rendered by <templ>.")
		templ.Handler(page(r)).ServeHTTP(w, r)
	})
	guard, _ := csrf.New(csrf.Options{Logger: slog.New(slog.DiscardHandler)})
	flashes := &messages.Manager{Storage: messages.NewCookieStorage([]byte("a long random secret key"))}
	site := flashes.Middleware(guard.Protect(mux))

	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	token := body[strings.Index(body, `value="`)+len(`value="`):][:csrf.TokenLength]
	fmt.Println(strings.Replace(body, token, "TOKEN", 1))
	fmt.Println(rec.Result().Cookies()[0].Name)
	// Output:
	// <ul class="messages"><li class="info">Rendered by &lt;templ&gt;.</li></ul><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="TOKEN"><button>Save</button></form>
	// csrftoken
}
