package csrf

import (
	"fmt"
	"net/http"
)

// exemptMarker is the handler every exemption pattern is registered with;
// a request is exempt when the private mux picks it.
type exemptMarker struct{}

func (*exemptMarker) ServeHTTP(http.ResponseWriter, *http.Request) {}

var marker http.Handler = &exemptMarker{}

// setExempt registers the patterns on a private ServeMux. ServeMux.Handle
// panics on an invalid or conflicting pattern; that becomes an error.
func (g *Guard) setExempt(patterns []string) (err error) {
	if len(patterns) == 0 {
		return nil
	}
	mux := http.NewServeMux()
	for _, p := range patterns {
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("csrf: exempt pattern %q: %v", p, v)
				}
			}()
			mux.Handle(p, marker)
		}()
		if err != nil {
			return err
		}
	}
	g.exempt = mux
	return nil
}

// isExempt reports whether the exemption mux would serve r with one of
// the patterns directly. A request it would redirect (to clean its path
// or add a trailing slash), or answer 404 or 405, is not exempt: so
// "POST /webhooks/stripe" exempts neither "/webhooks/stripe/",
// "/x/../webhooks/stripe" nor a PUT. The CSRF middleware runs before the
// application's router, so r.Pattern cannot be used.
func (g *Guard) isExempt(r *http.Request) bool {
	h, _ := g.exempt.Handler(r)
	return h == marker
}
