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
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	deployFlag := fs.Bool("deploy", false, "run the deployment checks (required: tether has no other checks)")
	key := fs.String("secret-key", "", "the secret key to check (default $TETHER_SECRET_KEY); visible to other users in the process list, prefer the environment or --secret-key-file")
	keyFile := fs.String("secret-key-file", "", "read the secret key from this file (one trailing newline dropped)")
	httpURL := fs.String("http-url", "", "the plain-HTTP URL whose redirect to HTTPS is checked (default: derived from the first URL)")
	noHTTP := fs.Bool("no-http", false, "do not check the plain-HTTP redirect")
	sessionCookie := fs.String("session-cookie", session.DefaultCookieName, "the session cookie's name")
	csrfCookie := fs.String("csrf-cookie", deploy.DefaultCSRFCookieName, "the CSRF cookie's name")
	insecure := fs.Bool("insecure", false, "do not verify the site's TLS certificate (self-signed test sites)")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit for each request")
	urls, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tether check: "+format+"\n", a...)
		fmt.Fprintln(stderr, "usage: tether check --deploy [flags] [URL...] (tether check -h for the flags)")
		return 2
	}
	if !*deployFlag {
		return usageErr("only the deployment checks exist: add --deploy")
	}
	if *timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	cfg := checkConfig{sessionCookie: *sessionCookie, csrfCookie: *csrfCookie}
	switch {
	case *key != "" && *keyFile != "":
		return usageErr("give --secret-key or --secret-key-file, not both")
	case *keyFile != "":
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "tether check: reading the secret key: %v\n", err)
			return 2
		}
		cfg.secretKey, cfg.haveKey = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), true
	case *key != "":
		cfg.secretKey, cfg.haveKey = *key, true
	default:
		cfg.secretKey, cfg.haveKey = os.LookupEnv("TETHER_SECRET_KEY")
	}

	// Sort the URLs: https:// ones are pages to check, an http:// one is
	// the plain-HTTP URL (one at most).
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr("%q is not an http:// or https:// URL", raw)
		}
		if u.Scheme == "https" {
			cfg.httpsURLs = append(cfg.httpsURLs, u.String())
		} else if cfg.httpURL != "" || *httpURL != "" {
			return usageErr("more than one plain-HTTP URL (%s)", raw)
		} else {
			cfg.httpURL, cfg.httpExplicit = u.String(), true
		}
	}
	if *httpURL != "" {
		u, err := url.Parse(*httpURL)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return usageErr("--http-url %q is not an http:// URL", *httpURL)
		}
		cfg.httpURL, cfg.httpExplicit = u.String(), true
	}
	if cfg.httpURL == "" && len(cfg.httpsURLs) > 0 {
		// The plain-HTTP twin of the first page: same host and path on
		// port 80.
		u, _ := url.Parse(cfg.httpsURLs[0])
		u.Scheme, u.Host = "http", u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]" // an IPv6 literal
		}
		cfg.httpURL = u.String()
	}
	if *noHTTP {
		if cfg.httpExplicit {
			return usageErr("--no-http with a plain-HTTP URL to check")
		}
		cfg.httpURL = ""
	}
	if cfg.httpURL == "" && len(cfg.httpsURLs) == 0 && !cfg.haveKey {
		return usageErr("nothing to check: give the site's URL and/or the secret key (--secret-key, --secret-key-file or TETHER_SECRET_KEY)")
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	if *insecure {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	defer transport.CloseIdleConnections()
	cfg.client = &http.Client{
		Transport: transport,
		Timeout:   *timeout,
		// Each answer is judged as sent: a redirect is a finding, not a
		// step to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return checkDeploy(ctx, cfg, stdout, stderr)
}

// checkDeploy fetches the URLs, runs the checks and prints the report.
func checkDeploy(ctx context.Context, cfg checkConfig, stdout, stderr io.Writer) int {
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

	var ws []deploy.Warning
	if site.HTTP != nil || len(site.HTTPS) > 0 {
		ws = append(ws, deploy.CheckSite(site)...)
	}
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
