package proxy

import "strings"

// forwardedElem is one element of an RFC 7239 Forwarded header.
type forwardedElem struct {
	forNode, proto, host string
	// bad marks an element whose quoted string is unterminated or is
	// followed by anything but ";", "," or the end. A client's quoted
	// string that never closes, or closes on the opening quote of a value
	// its proxy appended to the same line (`for="[2001:db8::1]"`), runs
	// over the proxy's element: a client sending
	// `Forwarded: proto=https;host=evil;x="` would otherwise hide that
	// element and pass its own proto, host and for as the proxy's.
	bad bool
}

// parseForwarded splits Forwarded header values into elements. Pairs it
// cannot read are skipped; quoted strings may hold commas and semicolons.
// A malformed quoted string ends its header value with a bad element.
func parseForwarded(vs []string) []forwardedElem {
	var out []forwardedElem
	for _, v := range vs {
		var cur forwardedElem
		for len(v) > 0 {
			v = strings.TrimLeft(v, " \t")
			eq := strings.IndexByte(v, '=')
			sep := strings.IndexAny(v, ";,")
			if eq < 0 || (sep >= 0 && sep < eq) {
				// A pair without "=": skip to the separator.
				if sep < 0 {
					break
				}
				if v[sep] == ',' {
					out = append(out, cur)
					cur = forwardedElem{}
				}
				v = v[sep+1:]
				continue
			}
			key := strings.ToLower(strings.TrimSpace(v[:eq]))
			val, rest, ok := readValue(v[eq+1:])
			if !ok {
				cur = forwardedElem{bad: true}
				break
			}
			cur.set(key, val)
			v = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(v, ",") {
				out = append(out, cur)
				cur = forwardedElem{}
			}
			if len(v) > 0 {
				v = v[1:]
			}
		}
		out = append(out, cur)
	}
	return out
}

// readValue reads the value at the start of v, after a pair's "=": a
// quoted string, which may hold ";" and ",", or a token up to the next
// separator. It returns the rest of v from the separator on; ok is false
// for a broken quoted string or one followed by anything but a separator.
func readValue(v string) (val, rest string, ok bool) {
	if !strings.HasPrefix(v, `"`) {
		end := strings.IndexAny(v, ";,")
		if end < 0 {
			end = len(v)
		}
		return strings.TrimSpace(v[:end]), v[end:], true
	}
	val, rest, ok = unquote(v[1:])
	if after := strings.TrimLeft(rest, " \t"); !ok || (after != "" && after[0] != ';' && after[0] != ',') {
		return "", "", false
	}
	return val, rest, true
}

// set records a pair of e; keys other than for, proto and host are
// ignored.
func (e *forwardedElem) set(key, val string) {
	switch key {
	case "for":
		e.forNode = val
	case "proto":
		e.proto = val
	case "host":
		e.host = val
	}
}

// unquote reads a quoted-string body up to its closing quote and returns
// it with the rest of the input. ok is false for an unterminated string.
func unquote(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
