package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tetherweb/tether/deploy"
	"github.com/tetherweb/tether/session"
)

func init() {
	register("check", "check a deployment like Django's check --deploy (check --deploy [URL...])", runCheck)
}

const checkUsage = `usage: tether check --deploy [flags] [URL...]

Checks a deployed site and its secret key, like Django's "check --deploy",
with the checks of package deploy (deploy.CheckSite, deploy.CheckSecretKey).

Each https:// URL is fetched (redirects not followed) and its security
headers (HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy,
X-Frame-Options or a Content-Security-Policy frame-ancestors directive)
and Set-Cookie attributes are checked. The site's plain-HTTP URL
(an http:// URL given, else --http-url, else the first https:// URL with
scheme http and the default port) must redirect permanently to https://;
when no https:// URL is given, the redirect's target is checked. Point the
URLs at pages that set the session and CSRF cookies to have those checked.
The first https:// page is also asked for with the Host tether-check.invalid:
a site that checks its hosts (proxy.Config.AllowedHosts) answers 400.

The secret key (--secret-key, --secret-key-file, else $TETHER_SECRET_KEY)
must have at least 50 characters, 5 distinct ones, and not be a Django
"django-insecure-" key.

Exit status: 0 when nothing was found, 1 when a warning was found or a URL
could not be fetched, 2 on a usage error.

flags:
`

// checkConfig is what one run of "tether check" looks at.
type checkConfig struct {
	secretKey     string
	haveKey       bool
	httpsURLs     []string
	httpURL       string // "" when plain HTTP is not checked
	httpExplicit  bool   // the user named the plain-HTTP URL: failing to reach it is an error
	sessionCookie string
	csrfCookie    string
	client        *http.Client
	rotation      []deploy.Warning // what --fallback-keys and --rotated-at say
}

// checkFlags are the command line of "tether check", parsed.
type checkFlags struct {
	deploy        bool
	key           string
	keyFile       string
	httpURL       string
	noHTTP        bool
	sessionCookie string
	csrfCookie    string
	insecure      bool
	timeout       time.Duration
	fallbacks     int       // --fallback-keys: how many former keys the site still accepts
	rotatedAt     time.Time // --rotated-at: when the current key took over
	maxAge        time.Duration
	urls          []string // the positional arguments
}

// usageError is a mistake on the command line: runCheck prints it with a
// pointer to the flags and exits 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func usageErrorf(format string, a ...any) error { return usageError(fmt.Sprintf(format, a...)) }

// errFlagsReported is a parse error the flag package has already printed
// (or -h, for which it printed the usage).
var errFlagsReported = errors.New("flags reported")

func runCheck(args []string, stdout, stderr io.Writer) int {
	f, err := parseCheckFlags(args, stderr)
	if err != nil {
		return checkUsageFailed(stderr, err)
	}
	cfg := checkConfig{sessionCookie: f.sessionCookie, csrfCookie: f.csrfCookie,
		rotation: deploy.CheckFallbacks(f.fallbacks, f.rotatedAt, f.maxAge, time.Now())}
	if cfg.secretKey, cfg.haveKey, err = loadSecretKey(f.key, f.keyFile); err != nil {
		return checkUsageFailed(stderr, err)
	}
	if err := cfg.orderTargets(f.urls, f.httpURL, f.noHTTP); err != nil {
		return checkUsageFailed(stderr, err)
	}
	if cfg.httpURL == "" && len(cfg.httpsURLs) == 0 && !cfg.haveKey && f.rotatedAt.IsZero() {
		return checkUsageFailed(stderr, usageError("nothing to check: give the site's URL and/or the secret key (--secret-key, --secret-key-file or TETHER_SECRET_KEY)"))
	}
	var closeIdle func()
	cfg.client, closeIdle = newCheckClient(f.insecure, f.timeout)
	defer closeIdle()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return checkDeploy(ctx, cfg, stdout, stderr)
}

// checkUsageFailed prints err (the flag package has printed its own) and
// returns exit status 2; a usageError gets the pointer to the flags.
func checkUsageFailed(stderr io.Writer, err error) int {
	if errors.Is(err, errFlagsReported) {
		return 2
	}
	fmt.Fprintf(stderr, "tether check: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "usage: tether check --deploy [flags] [URL...] (tether check -h for the flags)")
	}
	return 2
}

// parseCheckFlags parses the command line, flags and URLs in any order,
// and refuses a run without --deploy or with a timeout that is not
// positive.
func parseCheckFlags(args []string, stderr io.Writer) (checkFlags, error) {
	var f checkFlags
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&f.deploy, "deploy", false, "run the deployment checks (required: tether has no other checks)")
	fs.StringVar(&f.key, "secret-key", "", "the secret key to check (default $TETHER_SECRET_KEY); visible to other users in the process list, prefer the environment or --secret-key-file")
	fs.StringVar(&f.keyFile, "secret-key-file", "", "read the secret key from this file (one trailing newline dropped)")
	fs.StringVar(&f.httpURL, "http-url", "", "the plain-HTTP URL whose redirect to HTTPS is checked (default: derived from the first URL)")
	fs.BoolVar(&f.noHTTP, "no-http", false, "do not check the plain-HTTP redirect")
	fs.StringVar(&f.sessionCookie, "session-cookie", session.DefaultCookieName, "the session cookie's name")
	fs.StringVar(&f.csrfCookie, "csrf-cookie", deploy.DefaultCSRFCookieName, "the CSRF cookie's name")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the site's TLS certificate (self-signed test sites)")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "time limit for each request")
	fs.IntVar(&f.fallbacks, "fallback-keys", 0, "how many former secret keys the site still accepts (with --rotated-at: are they due for retirement?)")
	fs.Func("rotated-at", "when the current secret key replaced the fallbacks (2006-01-02 or RFC 3339)", func(v string) error {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse(time.DateOnly, v)
		}
		f.rotatedAt = t
		return err
	})
	fs.DurationVar(&f.maxAge, "max-age", session.DefaultMaxAge, "the longest a session or signed value lives (the Manager's MaxAge)")
	var err error
	if f.urls, err = parseInterleaved(fs, args); err != nil {
		return f, errFlagsReported
	}
	switch {
	case !f.deploy:
		return f, usageError("only the deployment checks exist: add --deploy")
	case f.timeout <= 0:
		return f, usageError("--timeout must be positive")
	case f.key != "" && f.keyFile != "":
		return f, usageError("give --secret-key or --secret-key-file, not both")
	}
	return f, nil
}

// loadSecretKey returns the secret key to check: the flag's, the file's
// (one trailing newline dropped) or $TETHER_SECRET_KEY's, and whether
// there is one.
func loadSecretKey(key, keyFile string) (string, bool, error) {
	switch {
	case keyFile != "":
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return "", false, fmt.Errorf("reading the secret key: %w", err)
		}
		return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), true, nil
	case key != "":
		return key, true, nil
	}
	key, ok := os.LookupEnv("TETHER_SECRET_KEY")
	return key, ok, nil
}

// orderTargets sorts the URLs into cfg: https:// ones are pages to check,
// an http:// one (or --http-url, one at most) is the plain-HTTP URL,
// which otherwise is the first page's plain-HTTP twin, unless noHTTP.
func (cfg *checkConfig) orderTargets(urls []string, httpURL string, noHTTP bool) error {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErrorf("%q is not an http:// or https:// URL", raw)
		}
		if u.Scheme == "https" {
			cfg.httpsURLs = append(cfg.httpsURLs, u.String())
		} else if cfg.httpURL != "" || httpURL != "" {
			return usageErrorf("more than one plain-HTTP URL (%s)", raw)
		} else {
			cfg.httpURL, cfg.httpExplicit = u.String(), true
		}
	}
	if httpURL != "" {
		u, err := url.Parse(httpURL)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return usageErrorf("--http-url %q is not an http:// URL", httpURL)
		}
		cfg.httpURL, cfg.httpExplicit = u.String(), true
	}
	if cfg.httpURL == "" && len(cfg.httpsURLs) > 0 {
		cfg.httpURL = plainTwin(cfg.httpsURLs[0])
	}
	if noHTTP {
		if cfg.httpExplicit {
			return usageError("--no-http with a plain-HTTP URL to check")
		}
		cfg.httpURL = ""
	}
	return nil
}

// plainTwin returns the plain-HTTP twin of an https:// URL: same host and
// path on port 80.
func plainTwin(httpsURL string) string {
	u, _ := url.Parse(httpsURL)
	u.Scheme, u.Host = "http", u.Hostname()
	if strings.Contains(u.Host, ":") {
		u.Host = "[" + u.Host + "]" // an IPv6 literal
	}
	return u.String()
}

// newCheckClient returns the HTTP client of a check, with timeout for
// each request and no verification of certificates when insecure, and
// the function that closes its idle connections.
func newCheckClient(insecure bool, timeout time.Duration) (*http.Client, func()) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		// Each answer is judged as sent: a redirect is a finding, not a
		// step to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, transport.CloseIdleConnections
}

// checkDeploy fetches the URLs, runs the checks and prints the report.
func checkDeploy(ctx context.Context, cfg checkConfig, stdout, stderr io.Writer) int {
	site, checked, failed := fetchSite(ctx, cfg, stderr)
	var ws []deploy.Warning
	if site.HTTP != nil || len(site.HTTPS) > 0 {
		ws = append(ws, deploy.CheckSite(site)...)
	}
	ws = append(ws, cfg.rotation...)
	if cfg.haveKey {
		ws = append(ws, deploy.CheckSecretKey([]byte(cfg.secretKey))...)
		checked = append(checked, "the secret key")
	}
	slices.SortStableFunc(ws, func(a, b deploy.Warning) int { return cmp.Compare(a.ID, b.ID) })
	printReport(stdout, checked, ws)
	if failed || len(ws) > 0 {
		return 1
	}
	return 0
}

// fetchSite fetches the plain-HTTP URL, the pages and the foreign-Host
// probe into a deploy.Site. It returns what was checked, for the report,
// and whether a fetch that had to succeed failed; failures are printed on
// stderr.
func fetchSite(ctx context.Context, cfg checkConfig, stderr io.Writer) (deploy.Site, []string, bool) {
	site := deploy.Site{SessionCookie: cfg.sessionCookie, CSRFCookie: cfg.csrfCookie}
	var checked []string
	failed := false
	if cfg.httpURL != "" {
		res, err := fetch(ctx, cfg.client, cfg.httpURL)
		switch {
		case err != nil && cfg.httpExplicit:
			fmt.Fprintf(stderr, "tether check: %v\n", err)
			failed = true
		case err != nil:
			// Nothing listening on port 80 is a valid set-up (HSTS and
			// the preload list cover the first visit); say so and go on.
			fmt.Fprintf(stderr, "tether check: note: %v; the HTTP-to-HTTPS redirect was not checked\n", err)
		default:
			site.HTTP = res
			checked = append(checked, fmt.Sprintf("%s (%s)", cfg.httpURL, res.Status))
			// Given only the plain-HTTP URL, check where it leads.
			if loc, err := res.Location(); err == nil && loc.Scheme == "https" && len(cfg.httpsURLs) == 0 {
				cfg.httpsURLs = append(cfg.httpsURLs, loc.String())
			}
		}
	}
	for _, u := range cfg.httpsURLs {
		res, err := fetch(ctx, cfg.client, u)
		if err != nil {
			fmt.Fprintf(stderr, "tether check: %v\n", err)
			failed = true
			continue
		}
		site.HTTPS = append(site.HTTPS, res)
		checked = append(checked, fmt.Sprintf("%s (%s)", u, res.Status))
	}
	if len(site.HTTPS) > 0 {
		// Ask the first page again under a Host no site serves: a site
		// that checks its hosts answers 400 (security.W020 otherwise).
		res, err := fetchAs(ctx, cfg.client, cfg.httpsURLs[0], deploy.ForeignHostName)
		if err != nil {
			fmt.Fprintf(stderr, "tether check: note: %v; the Host check was not probed\n", err)
		} else {
			site.ForeignHost = res
			checked = append(checked, fmt.Sprintf("Host %s (%s)", deploy.ForeignHostName, res.Status))
		}
	}
	return site, checked, failed
}

// fetch GETs u and returns the response with its body read and closed:
// only the status and the headers are judged.
func fetch(ctx context.Context, c *http.Client, u string) (*http.Response, error) {
	return fetchAs(ctx, c, u, "")
}

// fetchAs is fetch with the Host header set to host (the URL's own when
// empty); the TLS server name stays the URL's.
func fetchAs(ctx context.Context, c *http.Client, u, host string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("User-Agent", "tether-check")
	res, err := c.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	// Drain a little so the connection can be reused, then close.
	_, _ = io.CopyN(io.Discard, res.Body, 64<<10)
	res.Body.Close()
	return res, nil
}

// printReport writes the findings as Django's check command does: errors,
// then warnings, each with its hint, then a summary line.
func printReport(w io.Writer, checked []string, ws []deploy.Warning) {
	if len(checked) > 0 {
		fmt.Fprintf(w, "Checked %s.\n", strings.Join(checked, ", "))
	}
	if len(ws) == 0 {
		fmt.Fprintln(w, "System check identified no issues.")
		return
	}
	fmt.Fprintln(w, "System check identified some issues:")
	for _, section := range []struct {
		title  string
		errors bool
	}{{"ERRORS:", true}, {"WARNINGS:", false}} {
		first := true
		for _, x := range ws {
			if x.IsError() != section.errors {
				continue
			}
			if first {
				fmt.Fprintf(w, "\n%s\n", section.title)
				first = false
			}
			fmt.Fprintln(w, x)
		}
	}
	noun := "issues"
	if len(ws) == 1 {
		noun = "issue"
	}
	fmt.Fprintf(w, "\nSystem check identified %d %s.\n", len(ws), noun)
}
