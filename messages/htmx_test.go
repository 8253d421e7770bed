package messages

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// hxSite is a site whose Manager delivers messages to htmx requests, with
// the storage named and a route that sets its own HX-Trigger lines:
//
//	POST /hx/own   form: trigger (repeated, each an HX-Trigger line), text
//	               (repeated); answers 200 without reading the messages
func hxSite(t *testing.T, storage string, opt *HTMX) *site {
	t.Helper()
	m := storages()[storage]()
	m.HTMX = opt
	s := newSite(t, m)
	s.mux.HandleFunc("POST /hx/own", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		for _, v := range r.PostForm["trigger"] {
			w.Header().Add("HX-Trigger", v)
		}
		for _, text := range r.PostForm["text"] {
			Success(r, text)
		}
		io.WriteString(w, "fragment")
	})
	return s
}

// hx sends an htmx request (HX-Request: true).
func (s *site) hx(method, path string, form url.Values) resp {
	s.t.Helper()
	return s.do(method, path, form, "HX-Request", "true")
}

// triggered decodes the messages event of an HX-Trigger value.
func triggered(t *testing.T, h http.Header, event string) []htmxMessage {
	t.Helper()
	v := h.Get("HX-Trigger")
	if v == "" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		t.Fatalf("HX-Trigger %q: %v", v, err)
	}
	var msgs []htmxMessage
	if raw, ok := obj[event]; ok {
		if err := json.Unmarshal(raw, &msgs); err != nil {
			t.Fatalf("HX-Trigger %q: %v", v, err)
		}
	}
	return msgs
}

// TestHTMXDeliversUnread: an htmx request's messages that the handler did
// not render go out in HX-Trigger and are consumed, for every storage.
func TestHTMXDeliversUnread(t *testing.T) {
	for name := range storages() {
		t.Run(name, func(t *testing.T) {
			s := hxSite(t, name, &HTMX{})
			r := s.hx("POST", "/add", url.Values{"text": {"Added.", "Second"}, "level": {"25"}, "tags": {"cart"}, "status": {"200"}})
			if r.status != http.StatusOK {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			got := triggered(t, r.header, "messages")
			want := []htmxMessage{{Text: "Added.", Level: 25, Tags: "cart success"}, {Text: "Second", Level: 25, Tags: "cart success"}}
			if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("HX-Trigger %q: got %+v", r.header.Get("HX-Trigger"), got)
			}
			if page := s.show(); page != "" {
				t.Fatalf("delivered messages shown again: %q", page)
			}
		})
	}
}

// TestHTMXRenderedNotRepeated: messages read by the handler (rendered into
// the fragment) are not in the header; one added after the read is.
func TestHTMXRenderedNotRepeated(t *testing.T) {
	s := hxSite(t, "fallback", &HTMX{})
	s.mux.HandleFunc("POST /hx/render", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for _, m := range Get(r) {
			b.WriteString(m.Text() + "\n")
		}
		Info(r, "after the read")
		io.WriteString(w, b.String())
	})
	s.add(LevelInfo, "stored")
	r := s.hx("POST", "/hx/render", url.Values{})
	if r.body != "stored\n" {
		t.Fatalf("fragment %q", r.body)
	}
	got := triggered(t, r.header, "messages")
	if len(got) != 1 || got[0].Text != "after the read" || got[0].Level != LevelInfo || got[0].Tags != "info" {
		t.Fatalf("HX-Trigger %q", r.header.Get("HX-Trigger"))
	}
	if page := s.show(); page != "" {
		t.Fatalf("left over: %q", page)
	}
}

// TestHTMXStoredDelivered: messages stored by an earlier response go out
// on an htmx request whose handler never touches messages.
func TestHTMXStoredDelivered(t *testing.T) {
	for name := range storages() {
		t.Run(name, func(t *testing.T) {
			s := hxSite(t, name, &HTMX{})
			s.add(LevelWarning, "from before")
			r := s.hx("GET", "/plain", nil)
			if got := triggered(t, r.header, "messages"); len(got) != 1 || got[0].Text != "from before" || got[0].Tags != "warning" {
				t.Fatalf("HX-Trigger %q", r.header.Get("HX-Trigger"))
			}
			if r.header.Get("Vary") != "Cookie" {
				t.Fatalf("Vary %q", r.header.Values("Vary"))
			}
			if page := s.show(); page != "" {
				t.Fatalf("left over: %q", page)
			}
			// Nothing stored: no header, and nothing written.
			r = s.hx("GET", "/plain", nil)
			if v := r.header.Get("HX-Trigger"); v != "" || len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("empty storage: HX-Trigger %q, Set-Cookie %q", v, r.header.Values("Set-Cookie"))
			}
		})
	}
}

// TestHTMXNotForOtherRequests: without HX-Request: true, or with the
// option off, messages are stored as usual.
func TestHTMXNotForOtherRequests(t *testing.T) {
	s := hxSite(t, "cookie", &HTMX{})
	r := s.do("POST", "/add", url.Values{"text": {"plain form"}, "status": {"200"}})
	if v := r.header.Get("HX-Trigger"); v != "" {
		t.Fatalf("HX-Trigger on a non-htmx request: %q", v)
	}
	if page := s.show(); page != line(LevelInfo, "info", "plain form") {
		t.Fatalf("page %q", page)
	}

	off := hxSite(t, "cookie", nil)
	r = off.hx("POST", "/add", url.Values{"text": {"option off"}, "status": {"200"}})
	if v := r.header.Get("HX-Trigger"); v != "" {
		t.Fatalf("HX-Trigger with the option off: %q", v)
	}
	if page := off.show(); page != line(LevelInfo, "info", "option off") {
		t.Fatalf("page %q", page)
	}
}

// TestHTMXNotOnRedirectsErrorsHead: a redirect's headers never reach htmx
// (the browser follows it), a 5xx stores nothing, a HEAD shows nothing,
// an HX-Redirect, HX-Location or HX-Refresh leaves the page: the messages
// stay for the next response.
func TestHTMXNotOnRedirectsErrorsHead(t *testing.T) {
	s := hxSite(t, "fallback", &HTMX{})
	r := s.hx("POST", "/add", url.Values{"text": {"redirected"}})
	if r.status != http.StatusFound || r.header.Get("HX-Trigger") != "" {
		t.Fatalf("redirect: %d, HX-Trigger %q", r.status, r.header.Get("HX-Trigger"))
	}
	if r = s.hx("HEAD", "/plain", nil); r.header.Get("HX-Trigger") != "" {
		t.Fatalf("HEAD: HX-Trigger %q", r.header.Get("HX-Trigger"))
	}
	if r = s.hx("GET", "/fail", nil); r.status != 500 || r.header.Get("HX-Trigger") != "" {
		t.Fatalf("5xx: %d, HX-Trigger %q", r.status, r.header.Get("HX-Trigger"))
	}
	// Nor when the handler sends htmx to another page.
	s.mux.HandleFunc("POST /hx/leave", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set(r.PostForm.Get("header"), r.PostForm.Get("value"))
	})
	for _, h := range [][2]string{{"HX-Redirect", "/show"}, {"HX-Location", `{"path":"/show"}`}, {"HX-Refresh", "true"}} {
		if r = s.hx("POST", "/hx/leave", url.Values{"header": {h[0]}, "value": {h[1]}}); r.header.Get("HX-Trigger") != "" {
			t.Fatalf("%s: HX-Trigger %q", h[0], r.header.Get("HX-Trigger"))
		}
	}
	// The page the redirect leads to, fetched by htmx, gets it.
	r = s.hx("GET", "/plain", nil)
	if got := triggered(t, r.header, "messages"); len(got) != 1 || got[0].Text != "redirected" {
		t.Fatalf("after the redirect: HX-Trigger %q", r.header.Get("HX-Trigger"))
	}
	// A 4xx is read by htmx: it gets them too.
	r = s.hx("POST", "/add", url.Values{"text": {"refused"}, "status": {"422"}})
	if got := triggered(t, r.header, "messages"); r.status != 422 || len(got) != 1 || got[0].Text != "refused" {
		t.Fatalf("422: HX-Trigger %q", r.header.Get("HX-Trigger"))
	}
}

// TestHTMXMergesHandlerTrigger: the handler's own HX-Trigger events are
// kept, in their order, whether JSON or a plain list.
func TestHTMXMergesHandlerTrigger(t *testing.T) {
	s := hxSite(t, "cookie", &HTMX{})
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{`{"cart-changed":{"count":3},"a":1}`}, `{"cart-changed":{"count":3},"a":1,"messages":[{"text":"hi","level":25,"tags":"success"}]}`},
		{[]string{` {} `}, `{"messages":[{"text":"hi","level":25,"tags":"success"}]}`},
		{[]string{"cart-changed, refresh"}, `{"cart-changed":null,"refresh":null,"messages":[{"text":"hi","level":25,"tags":"success"}]}`},
		{[]string{"one", "two"}, `{"one":null,"two":null,"messages":[{"text":"hi","level":25,"tags":"success"}]}`},
		{[]string{`{"ünï":"çödé"}`}, `{"\u00fcn\u00ef":"\u00e7\u00f6d\u00e9","messages":[{"text":"hi","level":25,"tags":"success"}]}`},
	} {
		r := s.hx("POST", "/hx/own", url.Values{"trigger": c.lines, "text": {"hi"}})
		if got := r.header.Values("HX-Trigger"); len(got) != 1 || got[0] != c.want {
			t.Errorf("handler's %q: HX-Trigger %q, want %q", c.lines, got, c.want)
		}
	}
	if page := s.show(); page != "" {
		t.Fatalf("left over: %q", page)
	}
}

// TestHTMXLeavesUnmergeableTrigger: a header that cannot be merged stays
// as the handler set it, and the messages stay stored.
func TestHTMXLeavesUnmergeableTrigger(t *testing.T) {
	for _, lines := range [][]string{
		{`{"messages":"the handler's own"}`},
		{"messages, other"},
		{`{"a":1}`, "b"},
		{`{"a":`},
		{`{"a":1} trailing`},
	} {
		s := hxSite(t, "cookie", &HTMX{})
		r := s.hx("POST", "/hx/own", url.Values{"trigger": lines, "text": {"kept"}})
		if got := r.header.Values("HX-Trigger"); strings.Join(got, "\n") != strings.Join(lines, "\n") {
			t.Errorf("handler's %q changed to %q", lines, got)
		}
		if page := s.show(); page != line(LevelSuccess, "success", "kept") {
			t.Errorf("handler's %q: page %q", lines, page)
		}
		if !strings.Contains(s.logs.String(), "HX-Trigger left as the handler set it") {
			t.Errorf("handler's %q: not logged", lines)
		}
	}
}

// TestHTMXASCII: non-ASCII text is escaped as \uXXXX (surrogate pairs
// beyond the BMP) and reads back as sent.
func TestHTMXASCII(t *testing.T) {
	s := hxSite(t, "cookie", &HTMX{})
	text := "Café “quoted” <b>&</b> \u2028 😀 \x00\n"
	r := s.hx("POST", "/hx/own", url.Values{"text": {text}})
	v := r.header.Get("HX-Trigger")
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] >= 0x7f {
			t.Fatalf("byte %#x at %d in %q", v[i], i, v)
		}
	}
	if !strings.Contains(v, `Caf\u00e9`) || !strings.Contains(v, `\ud83d\ude00`) || !strings.Contains(v, `\u2028`) {
		t.Fatalf("HX-Trigger %q", v)
	}
	if got := triggered(t, r.header, "messages"); len(got) != 1 || got[0].Text != text {
		t.Fatalf("read back %+v", got)
	}
}

// TestHTMXBudget: the header stays within MaxBytes; what does not fit
// stays stored, in order, for the next responses.
func TestHTMXBudget(t *testing.T) {
	s := hxSite(t, "session", &HTMX{MaxBytes: 300, Event: "toast"})
	var texts []string
	for i := range 12 {
		texts = append(texts, "message number "+strconv.Itoa(i)+" "+strings.Repeat("x", 30))
	}
	texts = append(texts, strings.Repeat("too long for the header ", 20))
	r := s.hx("POST", "/add", url.Values{"text": texts, "status": {"200"}})
	var seen []string
	for range 10 {
		v := r.header.Get("HX-Trigger")
		if len(v) > 300 {
			t.Fatalf("HX-Trigger of %d bytes: %q", len(v), v)
		}
		got := triggered(t, r.header, "toast")
		if len(got) == 0 {
			break
		}
		for _, m := range got {
			seen = append(seen, m.Text)
		}
		r = s.hx("GET", "/plain", nil)
	}
	if strings.Join(seen, "|") != strings.Join(texts[:12], "|") {
		t.Fatalf("delivered %q", seen)
	}
	// The message that never fits waits for a page that renders it.
	if page := s.show(); page != line(LevelInfo, "info", texts[12]) {
		t.Fatalf("page %q", page)
	}
}

// FuzzMergeTrigger: whatever HX-Trigger lines the handler set, the merged
// value is ASCII, within the budget, a JSON object holding the handler's
// events and the delivered messages, or nothing is delivered.
func FuzzMergeTrigger(f *testing.F) {
	f.Add(`{"a":1}`, "", "hé")
	f.Add("a, b,,c", "d", "x")
	f.Add(`{"messages":1}`, "", "x")
	f.Add("{", "}", "\xff\xfe")
	f.Add(`  {"a":[1,{"b":"\u00e9"}]}  `, "", strings.Repeat("long ", 100))
	f.Add("messages", "", "x")
	f.Fuzz(func(t *testing.T, line1, line2, text string) {
		var lines []string
		for _, l := range []string{line1, line2} {
			if l != "" {
				lines = append(lines, l)
			}
		}
		msgs := []Message{{level: LevelInfo, text: text, levelTag: "info"}, {level: LevelError, text: "second", levelTag: "error"}}
		v, n, _ := mergeTrigger(lines, "messages", 512, msgs)
		if n == 0 {
			if v != "" {
				t.Fatalf("nothing delivered but value %q", v)
			}
			return
		}
		if len(v) > 512 {
			t.Fatalf("%d bytes", len(v))
		}
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x7f {
				t.Fatalf("non-ASCII byte in %q", v)
			}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			t.Fatalf("merged %q from %q: %v", v, lines, err)
		}
		var got []htmxMessage
		if err := json.Unmarshal(obj["messages"], &got); err != nil || len(got) != n {
			t.Fatalf("merged %q: %d messages, want %d (%v)", v, len(got), n, err)
		}
	})
}
