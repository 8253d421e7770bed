package djangointerop

import (
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// messagesScript is the Django side of the messages cross-check.
const messagesScript = "messages_vectors.py"

// djangoMessage is a message as messages_vectors.py describes it.
type djangoMessage struct {
	Level     int     `json:"level"`
	Text      string  `json:"text"`
	ExtraTags *string `json:"extra_tags"`
	Safe      bool    `json:"safe"`
}

func (d djangoMessage) String() string {
	tags := "<None>"
	if d.ExtraTags != nil {
		tags = *d.ExtraTags
	}
	return fmt.Sprintf("%d %q %q safe=%v", d.Level, d.Text, tags, d.Safe)
}

// describe turns Go messages into Django's description. Empty extra tags
// are None in Django 3.2 (it drops them when encoding).
func describe(msgs []messages.Message) []djangoMessage {
	out := make([]djangoMessage, len(msgs))
	for i, m := range msgs {
		out[i] = djangoMessage{Level: int(m.Level()), Text: m.Text(), Safe: m.Safe()}
		if tags := m.ExtraTags(); tags != "" {
			out[i].ExtraTags = &tags
		}
	}
	return out
}

func sameMessages(t *testing.T, what string, got, want []djangoMessage) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// messagesDoc is the output of "messages_vectors.py generate".
type messagesDoc struct {
	SecretKey string `json:"secret_key"`
	Now       int64  `json:"now"`
	Vectors   []struct {
		Name         string          `json:"name"`
		Kind         string          `json:"kind"` // cookie, fallback, session
		Added        []djangoMessage `json:"added"`
		Unstored     int             `json:"unstored"`
		Value        string          `json:"value"`
		SessionValue string          `json:"session_value"`
	} `json:"vectors"`
}

// goSite runs requests through tether's session and messages middleware
// with the given storage, as a browser would (cookies replayed).
type goSite struct {
	t       *testing.T
	store   *memstore.Store
	h       http.Handler
	cookies map[string]string
	do      func(w http.ResponseWriter, r *http.Request)
}

func newGoSite(t *testing.T, storage messages.Storage) *goSite {
	s := &goSite{t: t, store: memstore.New(), cookies: map[string]string{}}
	t.Cleanup(func() { s.store.Close() })
	sm := &session.Manager{Store: s.store}
	mm := &messages.Manager{Storage: storage, MinLevel: 1, Logger: slog.New(slog.DiscardHandler)}
	s.h = sm.Middleware(mm.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.do(w, r)
	})))
	return s
}

func (s *goSite) request(do func(w http.ResponseWriter, r *http.Request)) *httptest.ResponseRecorder {
	s.do = do
	req := httptest.NewRequest("GET", "/", nil)
	for k, v := range s.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(s.cookies, c.Name)
		} else {
			s.cookies[c.Name] = c.Value
		}
	}
	return rec
}

// sessionMessages returns the raw Django form of the session's messages
// (the JSON text inside the session), or "".
func (s *goSite) sessionMessages() string {
	s.t.Helper()
	id := s.cookies[session.DefaultCookieName]
	if id == "" {
		return ""
	}
	rec, err := s.store.Load(s.t.Context(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	vals, err := session.JSONCodec{}.Decode(rec.Data)
	if err != nil {
		s.t.Fatal(err)
	}
	var text string
	if raw, ok := vals[messages.DefaultSessionKey]; ok {
		if err := json.Unmarshal(raw, &text); err != nil {
			s.t.Fatalf("the session value is not Django's JSON string: %s", raw)
		}
	}
	return text
}

func TestMessagesFromDjango(t *testing.T) {
	var doc messagesDoc
	if err := json.Unmarshal(runPython(t, messagesScript, nil, "generate"), &doc); err != nil {
		t.Fatal(err)
	}
	key := []byte(doc.SecretKey)
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			var storage messages.Storage
			switch v.Kind {
			case "cookie":
				storage = messages.NewCookieStorage(key)
			case "fallback":
				storage = messages.NewFallbackStorage(key)
			case "session":
				storage = &messages.SessionStorage{Django: true}
			}
			s := newGoSite(t, storage)
			sessionValue := v.SessionValue
			if v.Kind == "session" {
				sessionValue = v.Value
			} else {
				s.cookies["messages"] = v.Value
			}
			if sessionValue != "" {
				// The session holds Django's JSON text as a string.
				s.request(func(w http.ResponseWriter, r *http.Request) {
					if err := session.From(r).Set(messages.DefaultSessionKey, sessionValue); err != nil {
						t.Fatal(err)
					}
				})
			}
			var got []messages.Message
			rec := s.request(func(w http.ResponseWriter, r *http.Request) { got = messages.Get(r) })
			want := v.Added
			if v.Kind == "cookie" {
				want = want[v.Unstored:] // CookieStorage drops the oldest
			}
			sameMessages(t, "Go read", describe(got), want)
			if v.Kind != "session" && !strings.Contains(rec.Header().Get("Set-Cookie"), "messages=;") {
				t.Fatalf("the read cookie was not deleted: %q", rec.Header().Values("Set-Cookie"))
			}
		})
	}
}

// verifyMessages asks Django to read values.
type verifyMessage struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // cookie or session
	Value string `json:"value"`
}

type verifyMessageResult struct {
	Name         string          `json:"name"`
	OK           bool            `json:"ok"`
	Error        string          `json:"error"`
	Messages     []djangoMessage `json:"messages"`
	AllRetrieved bool            `json:"all_retrieved"`
}

func TestMessagesToDjango(t *testing.T) {
	djangoPython(t)
	key := []byte("interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
	frozen := func() time.Time { return time.Unix(1700000000, 0) }
	// Eight incompressible 302-character texts (a seeded generator).
	rnd := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	long := make([]string, 8)
	for i := range long {
		b := make([]byte, 299)
		for j := range b {
			b[j] = alphabet[rnd.IntN(len(alphabet))]
		}
		long[i] = fmt.Sprintf("%02d %s", i, b)
	}

	type want struct {
		msgs []messages.Message
		all  bool
	}
	var items []verifyMessage
	wants := map[string]want{}

	// Three messages with extra tags and safe HTML, non-ASCII text, in a
	// cookie; a cookie that overflows; a fallback that overflows into a
	// Django-form session value.
	for _, c := range []struct {
		name    string
		storage func() messages.Storage
		add     func(r *http.Request)
	}{
		{"three", func() messages.Storage { return &messages.CookieStorage{Key: key, Now: frozen} }, func(r *http.Request) {
			messages.Info(r, "Hello world.")
			messages.Warning(r, "Your account expires in three days.", "account", "expiry")
			messages.AddHTML(r, messages.LevelError, template.HTML("<b>Document</b> deleted."), "doc")
		}},
		{"non-ASCII", func() messages.Storage { return messages.NewCookieStorage(key) }, func(r *http.Request) {
			messages.Success(r, "Zoë ☃ 😀 \"q\" \\ ; , <&>")
			messages.Add(r, 55, "custom level", "a b")
		}},
		{"cookie overflow", func() messages.Storage { return messages.NewCookieStorage(key) }, func(r *http.Request) {
			for _, text := range long {
				messages.Info(r, text)
			}
		}},
		{"fallback overflow", func() messages.Storage {
			f := messages.NewFallbackStorage(key)
			f.Session.Django = true
			return f
		}, func(r *http.Request) {
			for _, text := range long {
				messages.Info(r, text, "x")
			}
		}},
	} {
		s := newGoSite(t, c.storage())
		s.request(func(w http.ResponseWriter, r *http.Request) { c.add(r) })
		cookieValue := s.cookies["messages"]
		sessionValue := s.sessionMessages()
		// What Go itself reads back is what Django must read.
		var all []messages.Message
		s.request(func(w http.ResponseWriter, r *http.Request) { all = messages.Get(r) })
		if len(all) == 0 {
			t.Fatalf("%s: Go stored nothing", c.name)
		}
		items = append(items, verifyMessage{Name: c.name, Kind: "cookie", Value: cookieValue})
		if sessionValue == "" {
			wants[c.name] = want{msgs: all, all: !strings.Contains(c.name, "overflow")}
			continue
		}
		var inCookie int
		for inCookie = range all {
			if strings.Contains(sessionValue, all[inCookie].Text()) {
				break
			}
		}
		wants[c.name] = want{msgs: all[:inCookie], all: false}
		items = append(items, verifyMessage{Name: c.name + " (session)", Kind: "session", Value: sessionValue})
		wants[c.name+" (session)"] = want{msgs: all[inCookie:], all: true}
	}

	in, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	var results []verifyMessageResult
	if err := json.Unmarshal(runPython(t, messagesScript, in, "verify"), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(items) {
		t.Fatalf("%d results for %d items", len(results), len(items))
	}
	for _, res := range results {
		w := wants[res.Name]
		if !res.OK {
			t.Errorf("%s: Django refused it: %s", res.Name, res.Error)
			continue
		}
		if res.AllRetrieved != w.all {
			t.Errorf("%s: Django all_retrieved %v, want %v", res.Name, res.AllRetrieved, w.all)
		}
		if fmt.Sprint(res.Messages) != fmt.Sprint(describe(w.msgs)) {
			t.Errorf("%s:\n Django read %v\n Go wrote    %v", res.Name, res.Messages, describe(w.msgs))
		}
	}
	// The cookie overflow drops the oldest, as Django does for the same
	// sizes (Django keeps 6 of these 8 incompressible 302-character texts).
	if n := len(wants["cookie overflow"].msgs); n != 6 {
		t.Errorf("cookie overflow kept %d of %d, Django keeps 6", n, len(long))
	}
}
