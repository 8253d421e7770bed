package deploy

import (
	"strconv"
	"strings"
	"time"
)

// hsts is a parsed Strict-Transport-Security header.
type hsts struct {
	maxAge            time.Duration
	includeSubdomains bool
	preload           bool
	valid             bool // a max-age directive was read
}

// parseHSTS reads a Strict-Transport-Security value as RFC 6797 section
// 6.1 does: directives separated by ";", names case-insensitive, max-age
// a number of seconds, optionally quoted. A header without a readable
// max-age, or with a directive twice, is invalid and browsers ignore it.
func parseHSTS(v string) hsts {
	var h hsts
	seen := map[string]bool{}
	for part := range strings.SplitSeq(v, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if seen[name] {
			return hsts{}
		}
		seen[name] = true
		switch name {
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err != nil || n < 0 {
				return hsts{}
			}
			h.maxAge = time.Duration(min(n, int64(maxDurationSeconds))) * time.Second
			h.valid = true
		case "includesubdomains":
			h.includeSubdomains = true
		case "preload":
			h.preload = true
		}
	}
	return h
}

// maxDurationSeconds is the largest whole number of seconds a
// time.Duration holds.
const maxDurationSeconds = int64(1<<63-1) / int64(time.Second)
