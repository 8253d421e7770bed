package proxy

import "strings"

// forwardedElem is one element of an RFC 7239 Forwarded header.
type forwardedElem struct {
	forNode, proto, host string
}

// parseForwarded splits Forwarded header values into elements. Pairs it
// cannot read are skipped; quoted strings may hold commas and semicolons.
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
				val, v = unquote(v[1:])
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
// it with the rest of the input. An unterminated string takes the rest.
func unquote(s string) (string, string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}
