package messages

import (
	"fmt"
	"html/template"
	"iter"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tetherweb/tether/internal/logval"
)

// Add queues a message of the given level for r's client. The extra tags
// (for CSS classes) are joined with spaces and come before the level tag in
// Message.Tags.
//
// An empty text, or a level below the Manager's MinLevel, is ignored and
// Add returns nil (as in Django). It fails with ErrNoMiddleware on a request
// that did not pass through a Manager's Middleware, with ErrNoSession when
// the storage needs a session the request does not have, and with
// ErrCommitted once the response's headers are written. Add is safe for
// concurrent use by the handler's goroutines.
func Add(r *http.Request, level Level, text string, extraTags ...string) error {
	return add(r, level, text, false, extraTags)
}

// AddHTML is Add for a message whose text is trusted HTML: Message.HTML
// returns it unescaped (Django's mark_safe). Never pass it text that came
// from a user.
func AddHTML(r *http.Request, level Level, html template.HTML, extraTags ...string) error {
	return add(r, level, string(html), true, extraTags)
}

func add(r *http.Request, level Level, text string, safe bool, extraTags []string) error {
	st := from(r)
	if st == nil {
		return ErrNoMiddleware
	}
	if st.noSession {
		st.logNoSession()
		return ErrNoSession
	}
	if text == "" || level < st.m.minLevel {
		return nil
	}
	msg := st.m.message(level, text, joinTags(extraTags), safe)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.committed {
		st.log(slog.LevelError, ErrCommitted.Error(), logval.String("message", text))
		return ErrCommitted
	}
	st.queued = append(st.queued, msg)
	return nil
}

// joinTags joins the non-empty tags with spaces.
func joinTags(tags []string) string {
	switch len(tags) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(tags[0])
	}
	var b strings.Builder
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// Debug adds a message at LevelDebug (dropped unless MinLevel allows it).
func Debug(r *http.Request, text string, extraTags ...string) error {
	return Add(r, LevelDebug, text, extraTags...)
}

// Info adds a message at LevelInfo.
func Info(r *http.Request, text string, extraTags ...string) error {
	return Add(r, LevelInfo, text, extraTags...)
}

// Success adds a message at LevelSuccess.
func Success(r *http.Request, text string, extraTags ...string) error {
	return Add(r, LevelSuccess, text, extraTags...)
}

// Warning adds a message at LevelWarning.
func Warning(r *http.Request, text string, extraTags ...string) error {
	return Add(r, LevelWarning, text, extraTags...)
}

// Error adds a message at LevelError.
func Error(r *http.Request, text string, extraTags ...string) error {
	return Add(r, LevelError, text, extraTags...)
}

// Debugf adds a message at LevelDebug formatted with fmt.Sprintf.
func Debugf(r *http.Request, format string, args ...any) error {
	return Add(r, LevelDebug, fmt.Sprintf(format, args...))
}

// Infof adds a message at LevelInfo formatted with fmt.Sprintf.
func Infof(r *http.Request, format string, args ...any) error {
	return Add(r, LevelInfo, fmt.Sprintf(format, args...))
}

// Successf adds a message at LevelSuccess formatted with fmt.Sprintf.
func Successf(r *http.Request, format string, args ...any) error {
	return Add(r, LevelSuccess, fmt.Sprintf(format, args...))
}

// Warningf adds a message at LevelWarning formatted with fmt.Sprintf.
func Warningf(r *http.Request, format string, args ...any) error {
	return Add(r, LevelWarning, fmt.Sprintf(format, args...))
}

// Errorf adds a message at LevelError formatted with fmt.Sprintf.
func Errorf(r *http.Request, format string, args ...any) error {
	return Add(r, LevelError, fmt.Sprintf(format, args...))
}

// Get returns the pending messages of r's client, oldest first, and marks
// them read: they are not stored again (messages added after Get are). It
// returns the same messages when called again in the request.
//
// Call it before the response's headers are written. Afterwards it still
// returns the messages but cannot consume them (they show again on the next
// page), and logs that. A HEAD request reads without consuming: its
// response has no body to show them in. Without the middleware, or when
// the storage needs a missing session, it returns nil and logs the problem.
func Get(r *http.Request) []Message {
	st := from(r)
	if st == nil {
		slog.Default().LogAttrs(r.Context(), slog.LevelError, ErrNoMiddleware.Error(), slog.String("path", r.URL.Path))
		return nil
	}
	if st.noSession {
		st.logNoSession()
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.load()
	if st.committed {
		st.log(slog.LevelWarn, "messages: read after the response headers were written; they are not consumed "+
			"(render the page into a buffer, or call messages.Get before writing)")
		return slices.Concat(st.msgs, st.queued)
	}
	if r.Method == http.MethodHead {
		// A HEAD response has no body: nobody saw the messages (a link
		// checker, a preview, a monitor), so they stay pending. Django
		// consumes them here; tether does not.
		return slices.Concat(st.msgs, st.queued)
	}
	st.used = true
	st.msgs = append(st.msgs, st.queued...)
	st.queued = nil
	return slices.Clone(st.msgs)
}

// All returns an iterator over the pending messages. Ranging over it is
// Get: the messages are marked read when the range starts, even if the
// loop stops early (as iterating Django's storage does). An iterator that
// is never ranged over consumes nothing.
func All(r *http.Request) iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for _, m := range Get(r) {
			if !yield(m) {
				return
			}
		}
	}
}
