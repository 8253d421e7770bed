package secure

import (
	"strconv"
	"time"
)

// hstsHeader returns the Strict-Transport-Security value for o, or "" when
// HSTS is off. The directives follow Django's order: max-age, then
// includeSubDomains, then preload.
func hstsHeader(o Options) string {
	if o.HSTSMaxAge <= 0 {
		return ""
	}
	v := "max-age=" + strconv.FormatInt(int64(o.HSTSMaxAge/time.Second), 10)
	if o.HSTSIncludeSubdomains {
		v += "; includeSubDomains"
	}
	if o.HSTSPreload {
		v += "; preload"
	}
	return v
}
