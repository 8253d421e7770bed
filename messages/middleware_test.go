package messages

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/cookie"
)

func TestAddRedirectShowOnce(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelSuccess, "The post has been saved.")
			want := line(LevelSuccess, "success", "The post has been saved.")
			if got := s.show(); got != want {
				t.Fatalf("first page: %q, want %q", got, want)
			}
			if got := s.show(); got != "" {
				t.Fatalf("second page: %q, want nothing", got)
			}
		})
	}
}

func TestMessagesSurviveUnreadResponses(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelInfo, "one", "two")
			for range 2 {
				r := s.do("GET", "/plain", nil)
				if sc := r.header.Values("Set-Cookie"); len(sc) != 0 {
					t.Fatalf("a page that does not read messages set cookies: %q", sc)
				}
			}
			want := line(LevelInfo, "info", "one") + line(LevelInfo, "info", "two")
			if got := s.show(); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
			if got := s.show(); got != "" {
				t.Fatalf("second page: %q", got)
			}
		})
	}
}

func TestUnreadMessagesKeptWhenMoreAreAdded(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelInfo, "first")
			s.add(LevelWarning, "second")
			want := line(LevelInfo, "info", "first") + line(LevelWarning, "warning", "second")
			if got := s.show(); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

func TestReadThenAddKeepsOnlyNewMessages(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			m := mk()
			s := newSite(t, m)
			s.mux.HandleFunc("GET /read-add", func(w http.ResponseWriter, r *http.Request) {
				n := len(Get(r))
				Info(r, "added after reading")
				fmt.Fprint(w, n)
			})
			s.add(LevelInfo, "old")
			if r := s.do("GET", "/read-add", nil); r.body != "1" {
				t.Fatalf("read %s messages, want 1", r.body)
			}
			if got, want := s.show(), line(LevelInfo, "info", "added after reading"); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

func TestLevelFiltering(t *testing.T) {
	cases := []struct {
		min  Level
		want []Level
	}{
		{0, []Level{LevelInfo, LevelSuccess, LevelWarning, LevelError}},
		{LevelDebug, []Level{LevelDebug, LevelInfo, LevelSuccess, LevelWarning, LevelError}},
		{LevelWarning, []Level{LevelWarning, LevelError}},
		{5, []Level{7, LevelDebug, LevelInfo, LevelSuccess, LevelWarning, LevelError}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.min), func(t *testing.T) {
			s := newSite(t, &Manager{MinLevel: c.min, Storage: NewCookieStorage(testKey)})
			s.mux.HandleFunc("POST /all", func(w http.ResponseWriter, r *http.Request) {
				for _, err := range []error{
					Add(r, 3, "three"), Add(r, 7, "seven"),
					Debug(r, "d"), Info(r, "i"), Success(r, "s"), Warning(r, "w"), Error(r, "e"),
				} {
					if err != nil {
						t.Errorf("add: %v", err)
					}
				}
			})
			s.do("POST", "/all", url.Values{})
			var got []Level
			for _, l := range strings.Split(strings.TrimSpace(s.show()), "\n") {
				var n int
				fmt.Sscanf(l, "%d|", &n)
				got = append(got, Level(n))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("MinLevel %d stored %v, want %v", c.min, got, c.want)
			}
		})
	}
}

func TestFormattedHelpers(t *testing.T) {
	s := newSite(t, &Manager{MinLevel: LevelDebug, Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("POST /f", func(w http.ResponseWriter, r *http.Request) {
		Debugf(r, "d%d", 1)
		Infof(r, "i%d", 2)
		Successf(r, "s%d", 3)
		Warningf(r, "w%d", 4)
		Errorf(r, "e%s", "5")
	})
	s.do("POST", "/f", url.Values{})
	want := line(LevelDebug, "debug", "d1") + line(LevelInfo, "info", "i2") + line(LevelSuccess, "success", "s3") +
		line(LevelWarning, "warning", "w4") + line(LevelError, "error", "e5")
	if got := s.show(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestEmptyTextIgnored(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("POST /empty", func(w http.ResponseWriter, r *http.Request) {
		if err := Info(r, ""); err != nil {
			t.Errorf("Info(\"\"): %v", err)
		}
	})
	r := s.do("POST", "/empty", url.Values{})
	if sc := r.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("an empty message was stored: %q", sc)
	}
}

func TestTags(t *testing.T) {
	m := &Manager{
		MinLevel: 1,
		Storage:  NewCookieStorage(testKey),
		Tags:     map[Level]string{LevelInfo: "", LevelSuccess: "ok", 50: "critical"},
	}
	s := newSite(t, m)
	s.mux.HandleFunc("POST /tags", func(w http.ResponseWriter, r *http.Request) {
		Info(r, "info without tag")
		Success(r, "renamed", "account", "", "expiry")
		Add(r, 50, "custom", "red")
		Add(r, 15, "unknown level")
		Warning(r, "default kept")
	})
	s.do("POST", "/tags", url.Values{})
	want := "20|||info without tag\n" +
		"25|ok|account expiry ok|renamed\n" +
		"50|critical|red critical|custom\n" +
		"15|||unknown level\n" +
		"30|warning|warning|default kept\n"
	if got := s.show(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMessageMethods(t *testing.T) {
	m := Message{level: LevelWarning, text: "a <b>", extraTags: "x y", levelTag: "warning"}
	if m.Text() != "a <b>" || m.String() != "a <b>" || m.Level() != LevelWarning || m.LevelTag() != "warning" ||
		m.ExtraTags() != "x y" || m.Tags() != "x y warning" || m.Safe() || m.HTML() != "a &lt;b&gt;" {
		t.Fatalf("unexpected accessors: %+v %q", m, m.HTML())
	}
	m.safe = true
	if m.HTML() != "a <b>" {
		t.Fatalf("safe HTML escaped: %q", m.HTML())
	}
	if (Message{extraTags: "only"}).Tags() != "only" {
		t.Fatal("tags without a level tag")
	}
}

func TestLevelString(t *testing.T) {
	if LevelSuccess.String() != "success" || Level(50).String() != "50" {
		t.Fatalf("%s %s", LevelSuccess, Level(50))
	}
	tags := DefaultTags()
	tags[LevelInfo] = "changed"
	if DefaultTags()[LevelInfo] != "info" {
		t.Fatal("DefaultTags returned the package's own map")
	}
}

func TestSafeHTMLSurvivesStorage(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.do("POST", "/add", url.Values{"text": {"<b>bold</b>"}, "html": {"1"}})
			s.do("POST", "/add", url.Values{"text": {"<b>plain</b>"}})
			want := "20|info|info|<b>bold</b>\n20|info|info|&lt;b&gt;plain&lt;/b&gt;\n"
			if got := s.show(); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

// randomTexts returns n incompressible texts of size bytes.
func randomTexts(n, size int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, size*3/4)
		rand.Read(b)
		out[i] = fmt.Sprintf("%02d ", i) + base64.RawURLEncoding.EncodeToString(b)
	}
	return out
}

func TestFallbackOverflowKeepsEverythingInOrder(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewFallbackStorage(testKey)})
	texts := randomTexts(50, 300)
	s.add(LevelInfo, texts...)

	// The oldest are in the cookie, with the marker; the rest in the session.
	c := &s.m.Storage.(*FallbackStorage).Cookie
	value := s.cookie("messages")
	if len(value) > DefaultMaxCookieSize {
		t.Fatalf("cookie value is %d bytes", len(value))
	}
	inCookie, more, err := c.decode(value, nil)
	if err != nil || !more || len(inCookie) == 0 {
		t.Fatalf("cookie: %d messages, more %v, err %v", len(inCookie), more, err)
	}
	for i, m := range inCookie {
		if m.text != texts[i] {
			t.Fatalf("cookie message %d is %.10q, want the oldest ones", i, m.text)
		}
	}
	raw, ok := s.sessionValue(DefaultSessionKey)
	if !ok {
		t.Fatal("no overflow in the session")
	}
	var sv sessionValue
	if err := sv.UnmarshalJSON([]byte(raw)); err != nil || sv.bad != nil {
		t.Fatal(err, sv.bad)
	}
	if len(inCookie)+len(sv.msgs) != 50 {
		t.Fatalf("%d in the cookie + %d in the session", len(inCookie), len(sv.msgs))
	}

	var want strings.Builder
	for _, text := range texts {
		want.WriteString(line(LevelInfo, "info", text))
	}
	r := s.do("GET", "/show", nil)
	if r.body != want.String() {
		t.Fatalf("shown:\n%s\nwant all 50 in order", r.body)
	}
	if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "messages=; Path=/; Expires=Thu, 01 Jan 1970") {
		t.Fatalf("the cookie was not deleted: %q", r.header.Values("Set-Cookie"))
	}
	if _, ok := s.sessionValue(DefaultSessionKey); ok {
		t.Fatal("the session still holds messages after they were read")
	}
	if got := s.show(); got != "" {
		t.Fatalf("second page: %q", got)
	}
}

func TestFallbackSmallMessagesStayOutOfTheSession(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewFallbackStorage(testKey)})
	s.add(LevelInfo, "a", "b", "c")
	if s.cookie("sessionid") != "" {
		t.Fatal("a session was created for messages that fit in the cookie")
	}
	if s.cookie("messages") == "" {
		t.Fatal("no messages cookie")
	}
	s.show()
	if s.cookie("sessionid") != "" {
		t.Fatal("reading cookie-only messages created a session")
	}
}

func TestCookieOverflowDropsOldest(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	texts := randomTexts(50, 300)
	s.add(LevelInfo, texts...)
	if !strings.Contains(s.logs.String(), "oldest messages dropped") {
		t.Fatalf("the loss was not logged: %s", s.logs)
	}
	got := strings.Split(strings.TrimSpace(s.show()), "\n")
	if len(got) == 0 || len(got) >= 50 {
		t.Fatalf("%d messages shown", len(got))
	}
	// The newest are kept, in order.
	for i, l := range got {
		text := texts[50-len(got)+i]
		if l+"\n" != line(LevelInfo, "info", text) {
			t.Fatalf("message %d: %.30q, want %.30q", i, l, text)
		}
	}
}

func TestCookieSizeBudget(t *testing.T) {
	// The value stays within the budget (default or set), and the cut is
	// tight: keeping one more message would not fit.
	for _, c := range []struct {
		max, n, size int
	}{{0, 5, 406}, {1024, 5, 406}, {3000, 10, 406}} {
		cs := &CookieStorage{Key: testKey, MaxCookieSize: c.max}
		if err := cs.init(); err != nil {
			t.Fatal(err)
		}
		var msgs []Message
		for _, text := range randomTexts(c.n, c.size) {
			msgs = append(msgs, Message{level: LevelInfo, text: text})
		}
		limit := cmp(c.max, DefaultMaxCookieSize)
		v, unstored := cs.encode(msgs, true)
		if len(v) > limit || len(unstored) == 0 {
			t.Fatalf("max %d: value %d bytes, %d unstored", c.max, len(v), len(unstored))
		}
		if v2 := cs.signer.SignBytes(encodeList(msgs[len(unstored)-1:], true, false)); len(v2) <= limit {
			t.Fatalf("max %d: dropped one message too many (%d bytes would fit)", c.max, len(v2))
		}
	}
}

func cmp(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func TestCookieDeletedOnlyWhenSent(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	if r := s.do("GET", "/show", nil); len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("reading with no cookie wrote one: %q", r.header.Values("Set-Cookie"))
	}
	s.add(LevelInfo, "x")
	r := s.do("GET", "/show", nil)
	sc := r.header.Values("Set-Cookie")
	if len(sc) != 1 || !strings.HasPrefix(sc[0], "messages=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0") {
		t.Fatalf("deletion: %q", sc)
	}
	if s.cookie("messages") != "" {
		t.Fatal("cookie still in the jar")
	}
}

func TestCookieAttributes(t *testing.T) {
	cs := NewCookieStorage(testKey)
	cs.Options.Secure = true
	cs.Options.Domain = "example.com"
	cs.Options.SameSite = http.SameSiteStrictMode
	cs.Options.MaxAge = 3600 // ignored
	h := (&Manager{Storage: cs}).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Info(r, "x")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	sc := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"Domain=example.com", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Max-Age") || strings.Contains(sc, "Expires") {
		t.Errorf("Set-Cookie %q has an expiry", sc)
	}
}

func TestTamperedCookieIgnored(t *testing.T) {
	for _, name := range []string{"cookie", "fallback"} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, storages()[name]())
			s.add(LevelInfo, "genuine")
			v := s.cookie("messages")
			for _, bad := range []string{v[:len(v)-2] + "xx", "garbage", ".eJwLz:1r31eq:x", strings.Repeat("A", 3000)} {
				s.setCookie("messages", bad)
				r := s.do("GET", "/show", nil)
				if r.status != http.StatusOK || r.body != "" {
					t.Fatalf("tampered cookie %.20q: %d %q", bad, r.status, r.body)
				}
				if sc := strings.Join(r.header.Values("Set-Cookie"), ";"); !strings.Contains(sc, "messages=;") {
					t.Fatalf("the bad cookie was not deleted: %q", sc)
				}
			}
			if !strings.Contains(s.logs.String(), "cookie rejected") {
				t.Fatal("not logged")
			}
		})
	}
}

func TestTamperedCookieDeletedEvenWhenOnlyAdding(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.setCookie("messages", "garbage")
	s.add(LevelInfo, "new")
	if got := s.show(); got != line(LevelInfo, "info", "new") {
		t.Fatalf("got %q", got)
	}
}

func TestFallbackKeys(t *testing.T) {
	old := []byte("old-secret-key")
	s := newSite(t, &Manager{Storage: NewCookieStorage(old)})
	s.add(LevelInfo, "signed with the old key")
	v := s.cookie("messages")

	s2 := newSite(t, &Manager{Storage: NewCookieStorage(testKey, old)})
	s2.setCookie("messages", v)
	if got := s2.show(); got != line(LevelInfo, "info", "signed with the old key") {
		t.Fatalf("fallback key: %q", got)
	}
	s3 := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s3.setCookie("messages", v)
	if got := s3.show(); got != "" {
		t.Fatalf("a cookie signed with an unknown key was accepted: %q", got)
	}
}

func TestCustomCookieName(t *testing.T) {
	cs := NewCookieStorage(testKey)
	cs.Name = "flash"
	s := newSite(t, &Manager{Storage: cs})
	s.add(LevelInfo, "x")
	if s.cookie("flash") == "" || s.cookie("messages") != "" {
		t.Fatal("cookie name not used")
	}
}

func TestNoWriteWhenUntouched(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelInfo, "pending")
			before, _ := s.sessionValue(DefaultSessionKey)
			r := s.do("GET", "/plain", nil)
			if sc := r.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Fatalf("Set-Cookie on an untouched request: %q", sc)
			}
			if after, _ := s.sessionValue(DefaultSessionKey); after != before {
				t.Fatal("the session changed")
			}
		})
	}
}

func TestVaryCookieWhenRead(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.add(LevelInfo, "x")
	if r := s.do("GET", "/plain", nil); r.header.Get("Vary") != "" {
		t.Fatalf("Vary on an untouched request: %q", r.header.Values("Vary"))
	}
	if r := s.do("GET", "/show", nil); r.header.Get("Vary") != "Cookie" {
		t.Fatalf("Vary: %q", r.header.Values("Vary"))
	}
}

func TestServerErrorChangesNothing(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelInfo, "kept")
			if r := s.do("GET", "/fail", nil); r.status != 500 || len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("500 response: %d, Set-Cookie %q", r.status, r.header.Values("Set-Cookie"))
			}
			r := s.do("POST", "/add", url.Values{"text": {"lost"}, "status": {"503"}})
			if r.status != 503 {
				t.Fatalf("status %d", r.status)
			}
			if got, want := s.show(), line(LevelInfo, "info", "kept"); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

func TestAddAfterHeadersFails(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		if err := Info(r, "late"); !errors.Is(err, ErrCommitted) {
			t.Errorf("Add after WriteHeader: %v", err)
		}
	})
	s.do("GET", "/late", nil)
	if got := s.show(); got != "" {
		t.Fatalf("a late message was stored: %q", got)
	}
	if !strings.Contains(s.logs.String(), "added after the response headers") {
		t.Fatal("not logged")
	}
}

func TestReadAfterHeadersDoesNotConsume(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("GET /streamed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>")
		fmt.Fprint(w, len(Get(r)))
	})
	s.add(LevelInfo, "x")
	if r := s.do("GET", "/streamed", nil); r.body != "<html>1" {
		t.Fatalf("body %q", r.body)
	}
	if !strings.Contains(s.logs.String(), "read after the response headers") {
		t.Fatal("not logged")
	}
	if got := s.show(); got != line(LevelInfo, "info", "x") {
		t.Fatalf("the message was consumed by a late read: %q", got)
	}
}

func TestAllIterator(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("GET /first", func(w http.ResponseWriter, r *http.Request) {
		for m := range All(r) {
			fmt.Fprint(w, m.Text())
			break
		}
	})
	s.mux.HandleFunc("GET /unranged", func(w http.ResponseWriter, r *http.Request) {
		_ = All(r)
	})
	s.add(LevelInfo, "a", "b")
	s.do("GET", "/unranged", nil)
	if r := s.do("GET", "/first", nil); r.body != "a" {
		t.Fatalf("first: %q", r.body)
	}
	if got := s.show(); got != "" {
		t.Fatalf("stopping a range early left messages: %q", got)
	}
}

func TestGetTwiceReturnsTheSame(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)})
	s.mux.HandleFunc("GET /twice", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, len(Get(r)), len(Get(r)))
	})
	s.add(LevelInfo, "a")
	if r := s.do("GET", "/twice", nil); r.body != "1 1" {
		t.Fatalf("%q", r.body)
	}
}

func TestWithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if err := Info(r, "x"); !errors.Is(err, ErrNoMiddleware) {
		t.Fatalf("Add: %v", err)
	}
	if Get(r) != nil {
		t.Fatal("Get returned messages")
	}
}

func TestMissingSession(t *testing.T) {
	for _, storage := range []string{"session", "fallback"} {
		for name, opt := range map[string]siteOpt{"absent": noSession, "wrong order": wrongOrder} {
			t.Run(storage+"/"+name, func(t *testing.T) {
				s := newSite(t, storages()[storage](), opt)
				r := s.do("POST", "/add", url.Values{"text": {"x"}})
				if r.status != http.StatusTeapot || !strings.Contains(r.body, ErrNoSession.Error()) {
					t.Fatalf("add: %d %q", r.status, r.body)
				}
				s.do("POST", "/add", url.Values{"text": {"x"}})
				if got := s.show(); got != "" {
					t.Fatalf("show: %q", got)
				}
				if n := strings.Count(s.logs.String(), "the storage needs a session"); n != 1 {
					t.Fatalf("logged %d times:\n%s", n, s.logs)
				}
			})
		}
	}
}

func TestCookieStorageNeedsNoSession(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewCookieStorage(testKey)}, noSession)
	s.add(LevelInfo, "x")
	if got := s.show(); got != line(LevelInfo, "info", "x") {
		t.Fatalf("%q", got)
	}
}

func TestMisconfiguredStoragePanics(t *testing.T) {
	for name, st := range map[string]Storage{
		"no key":          &CookieStorage{},
		"fallback no key": &FallbackStorage{},
		"bad name":        &CookieStorage{Key: testKey, Name: "bad name"},
		// A budget the browser's 4096-byte limit (name and attributes
		// included) cannot hold: the cookie would be refused at run time
		// and the messages lost.
		"budget over the browser limit": &CookieStorage{Key: testKey, MaxCookieSize: 4096},
		"fallback budget over the browser limit": &FallbackStorage{
			Cookie: CookieStorage{Key: testKey, MaxCookieSize: 4050, Options: cookie.Options{Domain: "example.com"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			(&Manager{Storage: st}).Middleware(http.NotFoundHandler())
		})
	}
}

func TestPackageMiddlewareUsesSession(t *testing.T) {
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := Info(r, "x"); !errors.Is(err, ErrNoSession) {
			t.Errorf("Add without a session: %v", err)
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestSessionMergesConcurrentRequests(t *testing.T) {
	s := newSite(t, &Manager{})
	read, release := make(chan struct{}), make(chan struct{})
	s.mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		n := len(Get(r))
		Info(r, "from the slow request")
		close(read)
		<-release
		fmt.Fprint(w, n)
	})
	s.add(LevelInfo, "first")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if r := s.do("GET", "/slow", nil); r.body != "1" {
			t.Errorf("slow request read %s", r.body)
		}
	}()
	<-read
	s.add(LevelInfo, "from a concurrent request")
	close(release)
	wg.Wait()
	want := line(LevelInfo, "info", "from a concurrent request") + line(LevelInfo, "info", "from the slow request")
	if got := s.show(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestConcurrentAddsInOneRequest(t *testing.T) {
	s := newSite(t, &Manager{Storage: NewFallbackStorage(testKey)})
	s.mux.HandleFunc("POST /many", func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() { Infof(r, "m%d", i) })
		}
		wg.Wait()
	})
	s.do("POST", "/many", url.Values{})
	if n := strings.Count(s.show(), "\n"); n != 20 {
		t.Fatalf("%d messages", n)
	}
}

// A HEAD request of a page that reads the messages does not consume them:
// nobody saw them.
func TestHeadDoesNotConsume(t *testing.T) {
	for name, mk := range storages() {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, mk())
			s.add(LevelInfo, "still pending")
			if r := s.do("HEAD", "/show", nil); r.status != http.StatusOK {
				t.Fatalf("HEAD /show: %d", r.status)
			}
			if got, want := s.show(), line(LevelInfo, "info", "still pending"); got != want {
				t.Fatalf("after HEAD: %q, want %q", got, want)
			}
			if got := s.show(); got != "" {
				t.Fatalf("after GET: %q, want nothing", got)
			}
		})
	}
}
