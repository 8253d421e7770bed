package main

import (
	"log/slog"
	"strconv"
	"unicode/utf8"
)

// logBudget bounds every request-derived value the demo logs: a client
// cannot make a log line longer than this (the library's own logs do the
// same).
const logBudget = 200

// logString is a log attribute for a value from a request: cut to
// logBudget bytes (the cut marked with the original length) and quoted,
// so control characters cannot forge a log line.
func logString(key, v string) slog.Attr {
	if len(v) <= logBudget {
		return slog.String(key, strconv.Quote(v))
	}
	n := logBudget
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return slog.String(key, strconv.Quote(v[:n])+"…("+strconv.Itoa(len(v))+" bytes)")
}

// logError is logString for an error's text.
func logError(err error) slog.Attr {
	if err == nil {
		return slog.String("error", "")
	}
	return logString("error", err.Error())
}
