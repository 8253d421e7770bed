// Package logval bounds and quotes the values that come from a request
// before they go into a log line. A header, a path or a cookie is chosen
// by the client: logged as it is, a 900 KB Origin makes a 900 KB log line,
// and a value with a newline in it can forge a second line for a log
// reader that does not escape. Every request-derived value that tether
// logs goes through this package.
package logval

import (
	"log/slog"
	"strconv"
	"unicode/utf8"
)

// Budget is the most bytes of a value that are kept; the rest is cut and
// the cut is marked with the value's length.
const Budget = 200

// ErrorBudget is the most bytes of an error's text that are kept. An
// error's text is mostly tether's own words, but it may quote a part of
// the request (a cookie, a header) that is cut to Budget already, or not.
const ErrorBudget = 1000

// Cut returns s cut to Budget bytes (at a character boundary, so the
// result stays valid UTF-8 when s was), followed by "…" and s's length in
// bytes when it was longer. A short s comes back as it is. Use it where a
// request value is embedded in a message that is logged and shown as a
// whole; log a bare value with Quote.
func Cut(s string) string {
	return cut(s, Budget)
}

func cut(s string, budget int) string {
	if len(s) <= budget {
		return s
	}
	n := budget
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// Quote returns s cut to Budget bytes and quoted with strconv.Quote: every
// control character, newline and invalid byte is escaped, so the value
// cannot end the log line or pass for another field. A cut value is
// followed, outside the quotes, by "…" and the length of the whole value.
func Quote(s string) string {
	return quote(s, Budget)
}

func quote(s string, budget int) string {
	if len(s) <= budget {
		return strconv.Quote(s)
	}
	n := budget
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// String is slog.String(key, Quote(value)).
func String(key, value string) slog.Attr {
	return slog.String(key, Quote(value))
}

// Error is the attribute "error" with err's text cut to ErrorBudget bytes.
// The text is tether's own words (request values in it are quoted where
// the error is made), so it is quoted only when it holds a control
// character or invalid UTF-8, which could otherwise break the log line.
// A nil err logs as the empty string.
func Error(err error) slog.Attr {
	if err == nil {
		return slog.String("error", "")
	}
	s := err.Error()
	if plain(s) {
		return slog.String("error", cut(s, ErrorBudget))
	}
	return slog.String("error", quote(s, ErrorBudget))
}

// plain reports whether s is valid UTF-8 without control characters.
func plain(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}
