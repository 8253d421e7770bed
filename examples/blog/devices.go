package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

// The "active sessions" page: the logged-in user's sessions (device, IP,
// when signed in, last seen, expiry), this one marked, with a button to
// sign out each and one for all the others. It rests on the Manager's
// per-user index (session.Manager.Users), which needs a server store that
// keeps its records (session.Durable) and tether's own format.

// seenRefresh is how often a session's last use is written: the page's
// "last seen" is accurate to it.
const seenRefresh = time.Minute

// trackDevices gives the Manager a per-user index when the store can hold
// one, and reports whether it did. The sessions then record the client
// (user agent and address) at login and their last use. The idle timeout
// that stamps the last use is the "stay logged in" period, so it never
// ends a session sooner than the login form promises.
func trackDevices(m *session.Manager, store *dsn.Opened, django bool) bool {
	durable, ok := store.Store.(session.Durable)
	if !ok || store.Cookie != nil || django || len(m.SecretKey) == 0 {
		return false
	}
	m.Users = session.NewUserIndex(durable)
	m.RecordClient = true
	m.IdleTimeout = rememberFor
	m.IdleRefresh = seenRefresh
	return true
}

// deviceRoutes adds the page and its two forms.
func (a *app) deviceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/sessions", a.devices)
	mux.HandleFunc("POST /account/sessions/revoke-others", a.revokeOthers)
	mux.HandleFunc("POST /account/sessions/{id}/revoke", a.revokeDevice)
}

// devicesPage is what devices.html shows.
type devicesPage struct {
	Rows []deviceRow
	// Unavailable says why the sessions cannot be listed (the cookie:
	// store, Django's format), or is empty.
	Unavailable string
}

// deviceRow is one session in the table.
type deviceRow struct {
	ID       string
	Device   string // the user agent, shortened
	Agent    string // in full, for the tooltip
	IP       string
	SignedIn string
	LastSeen string
	Expires  string
	Current  bool
}

// noIndex is the page's note when the store cannot list the sessions.
const noIndex = "Listing and signing out devices needs a server store that keeps its records (sqlite:, postgres://, mysql://, redis://, file:, memory: or tiered:) in tether's own format; this demo runs with %s."

// loggedIn returns the logged-in user, or redirects to the login page and
// returns "".
func (a *app) loggedIn(w http.ResponseWriter, r *http.Request) string {
	user, _ := session.Value[string](session.From(r), "user")
	if user == "" {
		messages.Info(r, "Log in to see where you are signed in.")
		http.Redirect(w, r, "/login", http.StatusFound)
	}
	return user
}

// devices lists the user's sessions.
func (a *app) devices(w http.ResponseWriter, r *http.Request) {
	user := a.loggedIn(w, r)
	if user == "" {
		return
	}
	page := &devicesPage{}
	list, err := a.sessions.SessionsOf(r.Context(), user)
	switch {
	case errors.Is(err, session.ErrNoUserIndex):
		page.Unavailable = fmt.Sprintf(noIndex, a.storeKind())
	case err != nil:
		a.fail(w, r, err)
		return
	}
	current := session.From(r).ID()
	// This device first, then the newest sign-in first (SessionsOf's
	// times are in seconds: ties by ID, so that the order is stable).
	slices.SortStableFunc(list, func(x, y session.Device) int {
		return cmp.Or(
			-cmp.Compare(b2i(x.ID == current), b2i(y.ID == current)),
			y.Created.Compare(x.Created),
			strings.Compare(x.ID, y.ID))
	})
	for _, d := range list {
		page.Rows = append(page.Rows, deviceRow{
			ID:       d.ID,
			Device:   describeAgent(d.UserAgent),
			Agent:    d.UserAgent,
			IP:       orDash(d.IP),
			SignedIn: stamp(d.Created),
			LastSeen: stamp(d.LastSeen),
			Expires:  stamp(d.Expiry),
			Current:  d.ID == current,
		})
	}
	a.render(w, r, http.StatusOK, "devices", &view{Title: "Active sessions", Devices: page})
}

// storeKind names the reason the index is missing, for the page's note.
func (a *app) storeKind() string {
	if a.sessions.CookieStore != nil {
		return "the sessions in a cookie (cookie:)"
	}
	if a.cfg.Django {
		return "Django's session format (-django)"
	}
	return "a store that may drop records (memcached://)"
}

// sessionID matches a Device.ID: HashKey's 64 hex digits.
var sessionID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// revokeDevice signs out one of the user's sessions. Manager.Revoke acts
// only on the user's own sessions: an ID of someone else's changes
// nothing. Signing out the current session is a logout.
func (a *app) revokeDevice(w http.ResponseWriter, r *http.Request) {
	user := a.loggedIn(w, r)
	if user == "" {
		return
	}
	id := r.PathValue("id")
	s := session.From(r)
	if id == s.ID() {
		a.logout(w, r)
		return
	}
	var found *session.Device
	list, err := a.sessions.SessionsOf(r.Context(), user)
	if err == nil && sessionID.MatchString(id) {
		for i := range list {
			if list[i].ID == id {
				found = &list[i]
			}
		}
	}
	switch {
	case errors.Is(err, session.ErrNoUserIndex):
		messages.Warning(r, "This store cannot sign out single devices.")
	case err != nil:
		a.fail(w, r, err)
		return
	case found == nil:
		messages.Warning(r, "That session had already ended.")
	default:
		if err := a.sessions.Revoke(r.Context(), user, id); err != nil {
			a.fail(w, r, err)
			return
		}
		messages.Successf(r, "Signed out %s (%s).", describeAgent(found.UserAgent), orDash(found.IP))
	}
	http.Redirect(w, r, "/account/sessions", http.StatusFound)
}

// revokeOthers signs out every session of the user but this one.
func (a *app) revokeOthers(w http.ResponseWriter, r *http.Request) {
	user := a.loggedIn(w, r)
	if user == "" {
		return
	}
	n, err := a.sessions.RevokeUser(r.Context(), user, session.From(r).ID())
	switch {
	case errors.Is(err, session.ErrNoUserIndex):
		messages.Warning(r, "This store cannot sign out other devices.")
	case err != nil:
		a.fail(w, r, err)
		return
	case n == 0:
		messages.Info(r, "No other device was signed in.")
	case n == 1:
		messages.Success(r, "Signed out 1 other device.")
	default:
		messages.Successf(r, "Signed out %d other devices.", n)
	}
	http.Redirect(w, r, "/account/sessions", http.StatusFound)
}

// stamp formats a time for the table (in UTC, as its header says), "—"
// when unknown.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// browsers are the user agent tokens describeAgent recognises, most
// specific first (Edge's and Opera's agents also name Chrome, Chrome's
// names Safari).
var browsers = []struct{ token, name string }{
	{"Edg/", "Edge"},
	{"OPR/", "Opera"},
	{"Firefox/", "Firefox"},
	{"HeadlessChrome/", "Headless Chrome"},
	{"Chromium/", "Chromium"},
	{"Chrome/", "Chrome"},
	{"CriOS/", "Chrome"},
	{"FxiOS/", "Firefox"},
	{"Version/", "Safari"}, // Safari's version, when the agent names Safari
	{"curl/", "curl"},
	{"Go-http-client/", "Go HTTP client"},
}

// systems are the operating system tokens, most specific first (Android's
// agents name Linux, iOS's name Mac OS X).
var systems = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"Android", "Android"},
	{"iPhone", "iPhone"},
	{"iPad", "iPad"},
	{"CrOS", "ChromeOS"},
	{"Mac OS X", "macOS"},
	{"Macintosh", "macOS"},
	{"Linux", "Linux"},
}

// maxDevice bounds an unrecognised user agent shown as the device.
const maxDevice = 40

// describeAgent shortens a user agent to "Firefox 133 on Windows": the
// browser, its major version and the system, when it names them; else
// its first characters.
func describeAgent(ua string) string {
	ua = strings.TrimSpace(strings.ToValidUTF8(ua, "\uFFFD"))
	if ua == "" {
		return "Unknown device"
	}
	browser := ""
	for _, b := range browsers {
		i := strings.Index(ua, b.token)
		if i < 0 || (b.name == "Safari" && !strings.Contains(ua, "Safari/")) {
			continue
		}
		browser = b.name
		version := ua[i+len(b.token):]
		if end := strings.IndexFunc(version, func(c rune) bool { return c < '0' || c > '9' }); end >= 0 {
			version = version[:end]
		}
		if version != "" && len(version) <= 4 {
			browser += " " + version
		}
		break
	}
	system := ""
	for _, s := range systems {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "A browser on " + system
	}
	if r := []rune(ua); len(r) > maxDevice {
		return string(r[:maxDevice]) + "…"
	}
	return ua
}
