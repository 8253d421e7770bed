package messages

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tetherweb/tether/signing"
)

// DefaultHTMXEvent is the event name of HTMX.Event's zero value.
const DefaultHTMXEvent = "messages"

// DefaultHTMXMaxBytes is the budget of HTMX.MaxBytes's zero value: the
// whole HX-Trigger value, including the events the handler set itself.
// Reverse proxies refuse or cut responses whose headers outgrow their
// buffer (nginx's proxy_buffer_size is 4 KiB on most systems), so the
// header stays well below that.
const DefaultHTMXMaxBytes = 2048

// HTMX delivers messages to htmx (https://htmx.org) requests in the
// HX-Trigger response header, so that a page that swaps in a fragment can
// show them, as a toast say. Set Manager.HTMX to turn it on; the zero
// value uses the defaults.
//
// On a request with "HX-Request: true", the messages still unread when the
// response's headers go out are put into HX-Trigger and consumed: the
// messages the handler already rendered into the page (with Get) are not
// repeated, the ones added after that are sent. The value is a JSON
// object; the messages are a list under the event name, each with its
// text, level and tags (Message.Tags), and "safe": true for a message
// added with AddHTML:
//
//	HX-Trigger: {"messages":[{"text":"Saved.","level":25,"tags":"success"}]}
//
// htmx then fires a "messages" event whose detail.value is that list; for
// instance:
//
//	document.body.addEventListener("messages", e => e.detail.value.forEach(showToast))
//
// Render the text as text (textContent), not as markup, unless it is safe.
//
// The rules, each so that no message is lost or shown twice:
//
//   - Only responses htmx reads get messages: not a redirect (the browser
//     follows a 3xx before htmx sees its headers, so the messages stay
//     stored for the page it leads to, which gets them), not a 1xx or 5xx
//     response (nothing is stored on a 5xx), not a HEAD.
//   - Nor a response that sends htmx elsewhere: with HX-Redirect,
//     HX-Location or "HX-Refresh: true" set by the handler, htmx leaves
//     the page (or replaces it) right after firing the event, so the
//     messages stay stored for the page that follows.
//   - An HX-Trigger the handler set is kept: a JSON object gets the event
//     added after its own events; a plain list of event names ("a, b")
//     becomes an object with each name mapped to null (htmx fires the
//     same events). When the handler already uses the event name, sent
//     more than one HX-Trigger line of which one is JSON, or set a value
//     that is not a JSON object, the header is left as it is and the
//     messages stay stored.
//   - The value is ASCII: every other character is escaped as \uXXXX
//     (HTTP header values are ISO-8859-1 at best; htmx's JSON.parse reads
//     the escapes back).
//   - The value fits in MaxBytes. Messages are taken oldest first while
//     they fit; the rest stay stored, in order, for the next response (a
//     message that alone does not fit waits for a full page, which shows
//     it as usual).
//
// The messages' storage still reads and writes as usual: a stored
// message delivered this way is removed from its cookie or session. An
// htmx request that touches no messages therefore costs a read of the
// storage (the cookie, or the session) to find out whether there are any.
//
// It is off by default because it consumes messages into a header that
// only a page with a listener shows: turning it on for pages that have
// none would lose their messages, which otherwise appear on the next full
// page.
type HTMX struct {
	// Event is the name of the htmx event (default "messages").
	Event string
	// MaxBytes caps the length of the HX-Trigger value (default
	// DefaultHTMXMaxBytes).
	MaxBytes int
}

// htmxRequest reports whether r was sent by htmx.
func htmxRequest(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// htmxWanted reports whether the response with status code gets the
// request's messages in HX-Trigger.
func (st *state) htmxWanted(code int) bool {
	if st.m.HTMX == nil || code < 200 || (code >= 300 && code < 400) ||
		st.r.Method == http.MethodHead || !htmxRequest(st.r) {
		return false
	}
	h := st.w.Header()
	return h.Get("HX-Redirect") == "" && h.Get("HX-Location") == "" && h.Get("HX-Refresh") != "true"
}

// htmxMessage is one message in HX-Trigger.
type htmxMessage struct {
	Text  string `json:"text"`
	Level Level  `json:"level"`
	Tags  string `json:"tags"`
	Safe  bool   `json:"safe,omitempty"`
}

// deliverHTMX puts as many of msgs as fit into the HX-Trigger header of
// st's response and returns how many it put there.
func (st *state) deliverHTMX(msgs []Message) int {
	h := st.w.Header()
	value, n, why := mergeTrigger(h.Values("HX-Trigger"), st.m.htmxEvent, st.m.htmxMax, msgs)
	if why != "" {
		st.log(slog.LevelWarn, "messages: HX-Trigger left as the handler set it; messages stay stored",
			slog.String("why", why), slog.Int("pending", len(msgs)))
	}
	if n > 0 {
		h.Set("HX-Trigger", value)
	}
	return n
}

// mergeTrigger returns the HX-Trigger value holding the handler's events
// (the header's lines) and the first n of msgs under event, with n as
// large as max bytes allow. why explains a header that cannot be merged
// (n is then 0).
func mergeTrigger(lines []string, event string, max int, msgs []Message) (value string, n int, why string) {
	buf, why := triggerBase(lines, event)
	if why != "" {
		return "", 0, why
	}
	if len(buf) > 1 {
		buf = append(buf, ',')
	}
	buf = appendJSON(buf, event)
	buf = append(buf, ':', '[')
	for _, m := range msgs {
		enc := appendJSON(nil, htmxMessage{Text: m.text, Level: m.level, Tags: m.Tags(), Safe: m.safe})
		size := len(buf) + len(enc) + len("]}")
		if n > 0 {
			size++ // the comma
		}
		if size > max {
			break
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, enc...)
		n++
	}
	if n == 0 {
		return "", 0, ""
	}
	return string(append(buf, ']', '}')), n, ""
}

// triggerBase returns the start of a JSON object holding the events of
// the header's lines, without its closing brace: "{" when there are none.
func triggerBase(lines []string, event string) ([]byte, string) {
	buf := []byte{'{'}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "{") {
			continue
		}
		if len(lines) > 1 {
			return nil, "several HX-Trigger lines, one of them JSON"
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &obj); err != nil || obj == nil {
			return nil, "HX-Trigger is not a JSON object"
		}
		if _, ok := obj[event]; ok {
			return nil, "the handler's HX-Trigger already has the event"
		}
		if len(obj) == 0 {
			return buf, ""
		}
		// A valid object ends with its closing brace; the rest is kept
		// byte for byte (order and all), made ASCII.
		return bytes.Clone(signing.ASCIIJSON([]byte(strings.TrimSuffix(line, "}")))), ""
	}
	for _, line := range lines {
		for name := range strings.SplitSeq(line, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			if name == event {
				return nil, "the handler's HX-Trigger already has the event"
			}
			if len(buf) > 1 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, name)
			buf = append(buf, ":null"...)
		}
	}
	return buf, ""
}

// appendJSON appends v as ASCII JSON; v is a string or an htmxMessage,
// which always encode.
func appendJSON(dst []byte, v any) []byte {
	b, _ := json.Marshal(v)
	return append(dst, signing.ASCIIJSON(b)...)
}
