package messages

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

var testKey = []byte("messages-test-secret-key-0123456789")

// logBuffer collects log output from the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// site is a test server: sessions (unless noSession) around messages around
// a mux with routes that add, show and ignore messages.
type site struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	logs   *logBuffer
	store  *memstore.Store
	m      *Manager
	mux    *http.ServeMux
}

type siteOpt func(*siteConfig)

type siteConfig struct {
	noSession  bool
	wrongOrder bool
}

func newSite(t *testing.T, m *Manager, opts ...siteOpt) *site {
	t.Helper()
	var cfg siteConfig
	for _, o := range opts {
		o(&cfg)
	}
	s := &site{t: t, logs: &logBuffer{}, m: m, mux: http.NewServeMux()}
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(s.logs, nil))
	}
	s.routes()
	s.store = memstore.New()
	t.Cleanup(func() { s.store.Close() })
	sm := &session.Manager{Store: s.store, Logger: m.Logger}
	var h http.Handler
	switch {
	case cfg.noSession:
		h = m.Middleware(s.mux)
	case cfg.wrongOrder:
		h = m.Middleware(sm.Middleware(s.mux))
	default:
		h = sm.Middleware(m.Middleware(s.mux))
	}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return s
}

func noSession(c *siteConfig)  { c.noSession = true }
func wrongOrder(c *siteConfig) { c.wrongOrder = true }

// routes:
//
//	POST /add   form: text (repeated), level (default 20), tags, html=1;
//	            answers 302 to /show, or with status=N that status
//	GET  /show  the messages, one per line: "level|levelTag|tags|text"
//	GET  /plain a page that does not read them
//	GET  /fail  reads them, answers 500
func (s *site) routes() {
	s.mux.HandleFunc("POST /add", func(w http.ResponseWriter, r *http.Request) {
		level := LevelInfo
		if v := r.FormValue("level"); v != "" {
			n, _ := strconv.Atoi(v)
			level = Level(n)
		}
		for _, text := range r.Form["text"] {
			var err error
			if r.FormValue("html") == "1" {
				err = AddHTML(r, level, toHTML(text), r.FormValue("tags"))
			} else {
				err = Add(r, level, text, r.FormValue("tags"))
			}
			if err != nil {
				http.Error(w, "add: "+err.Error(), http.StatusTeapot)
				return
			}
		}
		if st := r.FormValue("status"); st != "" {
			n, _ := strconv.Atoi(st)
			w.WriteHeader(n)
			return
		}
		http.Redirect(w, r, "/show", http.StatusFound)
	})
	s.mux.HandleFunc("GET /show", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for m := range All(r) {
			fmt.Fprintf(&b, "%d|%s|%s|%s\n", m.Level(), m.LevelTag(), m.Tags(), m.HTML())
		}
		io.WriteString(w, b.String())
	})
	s.mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "plain")
	})
	s.mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		Get(r)
		http.Error(w, "boom", http.StatusInternalServerError)
	})
}

// resp is a finished response.
type resp struct {
	status int
	header http.Header
	body   string
}

// do sends a request with the form (if any) and the header pairs.
func (s *site) do(method, path string, form url.Values, header ...string) resp {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: string(b)}
}

// add posts texts at level and expects the redirect.
func (s *site) add(level Level, texts ...string) {
	s.t.Helper()
	r := s.do("POST", "/add", url.Values{"level": {strconv.Itoa(int(level))}, "text": texts})
	if r.status != http.StatusFound {
		s.t.Fatalf("POST /add: %d %s", r.status, r.body)
	}
}

// show returns the /show page.
func (s *site) show() string {
	s.t.Helper()
	r := s.do("GET", "/show", nil)
	if r.status != http.StatusOK {
		s.t.Fatalf("GET /show: %d %s", r.status, r.body)
	}
	return r.body
}

// cookie returns the client's cookie name, or "".
func (s *site) cookie(name string) string {
	u, _ := url.Parse(s.srv.URL)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie replaces the client's cookie name.
func (s *site) setCookie(name, value string) {
	u, _ := url.Parse(s.srv.URL)
	s.client.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// sessionValue returns the raw stored value of key in the client's session,
// and whether there is one.
func (s *site) sessionValue(key string) (string, bool) {
	s.t.Helper()
	id := s.cookie(session.DefaultCookieName)
	if id == "" {
		return "", false
	}
	rec, err := s.store.Load(s.t.Context(), id)
	if err != nil {
		return "", false
	}
	vals, err := session.JSONCodec{}.Decode(rec.Data)
	if err != nil {
		s.t.Fatal(err)
	}
	v, ok := vals[key]
	return string(v), ok
}

// storages returns a fresh Manager for each storage, by name.
func storages() map[string]func() *Manager {
	return map[string]func() *Manager{
		"session":  func() *Manager { return &Manager{} },
		"cookie":   func() *Manager { return &Manager{Storage: NewCookieStorage(testKey)} },
		"fallback": func() *Manager { return &Manager{Storage: NewFallbackStorage(testKey)} },
	}
}

// line formats one /show line for a plain message.
func line(level Level, tags, text string) string {
	m := Message{level: level, text: text}
	tag := defaultTags[level]
	return fmt.Sprintf("%d|%s|%s|%s\n", level, tag, tags, m.HTML())
}

func toHTML(s string) template.HTML { return template.HTML(s) }
