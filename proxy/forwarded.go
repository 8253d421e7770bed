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
			v = v[eq+1:]
			var val string
			if strings.HasPrefix(v, `"`) {
				var ok bool
				val, v, ok = unquote(v[1:])
				if rest := strings.TrimLeft(v, " \t"); !ok || (rest != "" && rest[0] != ';' && rest[0] != ',') {
					cur = forwardedElem{bad: true}
					break
				}
			} else {
				end := strings.IndexAny(v, ";,")
				if end < 0 {
					end = len(v)
				}
				val, v = strings.TrimSpace(v[:end]), v[end:]
			}
			switch key {
			case "for":
				cur.forNode = val
			case "proto":
				cur.proto = val
			case "host":
				cur.host = val
			}
			v = strings.TrimLeft(v, " \t")
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
