package deploy

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// response builds an *http.Response as a client would receive it.
func response(status int, header ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	u, _ := url.Parse("http://example.com/")
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Request: &http.Request{URL: u}}
}

// securityHeaders are the security headers of a well-configured HTTPS
// response, goodHeaders the same with its cookies.
var (
	securityHeaders = []string{
		"Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload",
		"X-Content-Type-Options", "nosniff",
		"Referrer-Policy", "same-origin",
		"Cross-Origin-Opener-Policy", "same-origin",
		"X-Frame-Options", "DENY",
	}
	goodHeaders = append(slices.Clip(securityHeaders),
		"Set-Cookie", "sessionid=abc; Path=/; HttpOnly; Secure; SameSite=Lax",
		"Set-Cookie", "csrftoken=def; Path=/; Secure; SameSite=Lax",
	)
)

func TestCheckSiteWellConfigured(t *testing.T) {
	s := Site{
		HTTP:  response(301, "Location", "https://example.com/"),
		HTTPS: []*http.Response{response(200, goodHeaders...)},
	}
	if ws := CheckSite(s); len(ws) != 0 {
		t.Fatalf("warnings: %v", ws)
	}
	// Nothing on plain HTTP: there is no redirect to check.
	s.HTTP = nil
	if ws := CheckSite(s); len(ws) != 0 {
		t.Fatalf("warnings: %v", ws)
	}
}

func TestCheckSiteProblems(t *testing.T) {
	// with replaces (or, with an empty value, removes) headers of the
	// good response.
	with := func(kv ...string) *http.Response {
		r := response(200, goodHeaders...)
		for i := 0; i+1 < len(kv); i += 2 {
			r.Header.Del(kv[i])
			if kv[i+1] != "" {
				r.Header.Add(kv[i], kv[i+1])
			}
		}
		return r
	}
	for _, tc := range []struct {
		name  string
		plain *http.Response
		tls   *http.Response
		want  []string
	}{
		{"no redirect", response(200), with(), []string{"security.W008"}},
		{"redirect to http", response(301, "Location", "http://www.example.com/"), with(), []string{"security.W008"}},
		{"redirect without Location", response(301), with(), []string{"security.W008"}},
		{"relative redirect stays on http", response(301, "Location", "/login"), with(), []string{"security.W008"}},
		{"temporary redirect", response(302, "Location", "https://example.com/"), with(), []string{"tether.W007"}},
		{"308 is fine", response(308, "Location", "https://example.com/"), with(), nil},
		{"no HSTS", nil, with("Strict-Transport-Security", ""), []string{"security.W004"}},
		{"HSTS max-age=0", nil, with("Strict-Transport-Security", "max-age=0"), []string{"security.W004"}},
		{"HSTS unreadable", nil, with("Strict-Transport-Security", "max-age=soon; preload"), []string{"security.W004"}},
		{"HSTS duplicated directive", nil, with("Strict-Transport-Security", "max-age=31536000; max-age=1; includeSubDomains; preload"), []string{"security.W004"}},
		{"HSTS quoted, mixed case", nil, with("Strict-Transport-Security", `Max-Age="31536000";INCLUDESUBDOMAINS;Preload`), nil},
		{"HSTS short", nil, with("Strict-Transport-Security", "max-age=3600; includeSubDomains"), []string{"security.W021", "tether.W001"}},
		{"HSTS no subdomains", nil, with("Strict-Transport-Security", "max-age=31536000"), []string{"security.W005", "security.W021"}},
		{"HSTS preload too short", nil, with("Strict-Transport-Security", "max-age=16000000; includeSubDomains; preload"), []string{"tether.W002"}},
		{"no nosniff", nil, with("X-Content-Type-Options", ""), []string{"security.W006"}},
		{"wrong nosniff", nil, with("X-Content-Type-Options", "sniff"), []string{"security.W006"}},
		{"no referrer policy", nil, with("Referrer-Policy", ""), []string{"security.W022"}},
		{"referrer list", nil, with("Referrer-Policy", "no-referrer, strict-origin-when-cross-origin"), nil},
		{"invalid referrer policy", nil, with("Referrer-Policy", "same-origin, never"), []string{"security.E023"}},
		{"no COOP is fine", nil, with("Cross-Origin-Opener-Policy", ""), nil},
		{"COOP with report-to", nil, with("Cross-Origin-Opener-Policy", `same-origin; report-to="coop"`), nil},
		{"invalid COOP", nil, with("Cross-Origin-Opener-Policy", "same-site"), []string{"security.E024"}},
		// secure.New reads "omit" and "" as settings; as header values
		// they are no policy.
		{"COOP omit is no policy", nil, with("Cross-Origin-Opener-Policy", "omit"), []string{"security.E024"}},
		{"COOP parameters without a policy", nil, with("Cross-Origin-Opener-Policy", `; report-to="coop"`), []string{"security.E024"}},
		{"no X-Frame-Options", nil, with("X-Frame-Options", ""), []string{"security.W002"}},
		{"X-Frame-Options SAMEORIGIN", nil, with("X-Frame-Options", "SAMEORIGIN"), []string{"security.W019"}},
		{"X-Frame-Options lower case", nil, with("X-Frame-Options", "deny"), nil},
		{"X-Frame-Options repeated", nil, with("X-Frame-Options", "DENY, deny"), nil},
		{"X-Frame-Options conflicting values forbid every frame", nil, with("X-Frame-Options", "SAMEORIGIN, DENY"), nil},
		{"X-Frame-Options ALLOW-FROM is ignored by browsers", nil, with("X-Frame-Options", "ALLOW-FROM https://a.example"), []string{"security.W002"}},
		{"X-Frame-Options unknown values", nil, with("X-Frame-Options", "yes, please"), []string{"security.W002"}},
		{"CSP frame-ancestors instead", nil, with("X-Frame-Options", "", "Content-Security-Policy", "default-src 'self'; Frame-Ancestors 'none'"), nil},
		{"CSP frame-ancestors overrides SAMEORIGIN", nil, with("X-Frame-Options", "SAMEORIGIN", "Content-Security-Policy", "frame-ancestors 'self'"), nil},
		{"CSP frame-ancestors in a second policy", nil, with("X-Frame-Options", "", "Content-Security-Policy", "default-src 'self', frame-ancestors\t'none'"), nil},
		{"CSP without frame-ancestors", nil, with("X-Frame-Options", "", "Content-Security-Policy", "default-src 'self'; script-src frame-ancestors"), []string{"security.W002"}},
		{"CSP report-only frame-ancestors enforces nothing", nil, with("X-Frame-Options", "", "Content-Security-Policy-Report-Only", "frame-ancestors 'none'"), []string{"security.W002"}},
		{"session cookie not Secure", nil, with("Set-Cookie", "sessionid=abc; HttpOnly"), []string{"security.W012"}},
		{"session cookie not HttpOnly", nil, with("Set-Cookie", "__Host-sessionid=abc; Secure; Path=/"), []string{"security.W015"}},
		{"session cookie SameSite=None", nil, with("Set-Cookie", "sessionid=abc; Secure; HttpOnly; SameSite=None"), []string{"tether.W003"}},
		{"csrf cookie not Secure", nil, with("Set-Cookie", "csrftoken=abc; SameSite=Lax"), []string{"security.W016"}},
		{"SameSite=None without Secure", nil, with("Set-Cookie", "prefs=1; SameSite=None"), []string{"tether.W006"}},
		{"deleted cookie is skipped", nil, with("Set-Cookie", "sessionid=; Max-Age=0"), nil},
		{"other cookies are not judged", nil, with("Set-Cookie", "theme=dark"), nil},
	} {
		ws := CheckSite(Site{HTTP: tc.plain, HTTPS: []*http.Response{tc.tls}})
		if got := ids(ws); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Cookies a plain-HTTP response sets are judged too, and the same fault on
// several pages is reported once.
func TestCheckSiteCookiesEverywhere(t *testing.T) {
	ws := CheckSite(Site{
		HTTP:          response(301, "Location", "https://example.com/", "Set-Cookie", "sid=1; HttpOnly"),
		HTTPS:         []*http.Response{response(200, goodHeaders...), response(200, goodHeaders...)},
		SessionCookie: "sid",
	})
	if got := ids(ws); !slices.Equal(got, []string{"security.W012"}) {
		t.Fatalf("got %v", got)
	}
}

// Cookie names given with their __Host- or __Secure- prefix match the
// cookie too (the CLI's --session-cookie __Host-sessionid), and a
// Referrer-Policy literally "omit" (secure.Omit is a setting, not a
// policy) is not one browsers know.
func TestCheckSitePrefixedNamesAndOmit(t *testing.T) {
	for _, name := range []string{"__Host-sessionid", "__Secure-sessionid"} {
		ws := CheckSite(Site{
			HTTPS:         []*http.Response{response(200, append(slices.Clip(securityHeaders), "Set-Cookie", name+"=abc; Secure; Path=/")...)},
			SessionCookie: name,
		})
		if got := ids(ws); !slices.Equal(got, []string{"security.W015"}) {
			t.Errorf("session cookie %s readable by script: got %v", name, got)
		}
	}
	ws := CheckSite(Site{
		HTTPS:      []*http.Response{response(200, append(slices.Clip(securityHeaders), "Set-Cookie", "sessionid=abc; Path=/; HttpOnly; Secure; SameSite=Lax", "Set-Cookie", "__Host-csrftoken=abc; Path=/")...)},
		CSRFCookie: "__Host-csrftoken",
	})
	if got := ids(ws); !slices.Equal(got, []string{"security.W016"}) {
		t.Errorf("csrf cookie without Secure: got %v", got)
	}
	h := append([]string(nil), goodHeaders...)
	h[slices.Index(h, "Referrer-Policy")+1] = "omit"
	if got := ids(CheckSite(Site{HTTPS: []*http.Response{response(200, h...)}})); !slices.Equal(got, []string{"security.E023"}) {
		t.Errorf("Referrer-Policy: omit: got %v", got)
	}
}

func TestParseHSTS(t *testing.T) {
	for v, want := range map[string]hsts{
		"max-age=60":                        {maxAge: 60e9, valid: true},
		" max-age = 60 ; includeSubDomains": {maxAge: 60e9, includeSubdomains: true, valid: true},
		"includeSubDomains":                 {includeSubdomains: true},
		"max-age=-1":                        {},
		"max-age=99999999999999999999":      {},
		"max-age=9999999999999":             {maxAge: time.Duration(maxDurationSeconds) * time.Second, valid: true},
		"max-age=60;;preload;":              {maxAge: 60e9, preload: true, valid: true},
	} {
		if got := parseHSTS(v); got != want {
			t.Errorf("parseHSTS(%q) = %+v, want %+v", v, got, want)
		}
	}
}
