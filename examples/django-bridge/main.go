// Command django-bridge is the Go half of a Django + Go pair that share one
// login. The Django project in ./django and this service open the same
// SQLite database and use the same SECRET_KEY, so:
//
//   - a user who logs in on Django is logged in here (djangoauth reads
//     Django's login from the shared django_session row and checks it
//     against auth_user's password hash), and logging out here logs them out
//     of Django;
//   - the session's cart is one cart: either side adds to it;
//   - a flash message Django adds ("Welcome, alice.") is shown here, and
//     the other way round (Django's messages cookie);
//   - the csrftoken cookie is shared, in Django 3.2's masked form.
//
// Start Django first (it creates the tables), then this service:
//
//	go run ./examples/django-bridge    # http://localhost:8001, Django on :8000
//
// See the README's "Django bridge" section.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/djangoauth"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// defaultSecretKey is the development key of django/bridge/settings.py.
const defaultSecretKey = "django-bridge-development-key-change-me-0123456789-abcdefghijkl"

// products are the Django view's products.
var products = map[string]string{"1": "Teapot", "2": "Kettle", "5": "Mug"}

func main() {
	addr := flag.String("addr", "localhost:8001", "address to listen on")
	db := flag.String("db", envOr("BRIDGE_DB", "examples/django-bridge/bridge.sqlite3"), "the SQLite database Django uses (BRIDGE_DB)")
	djangoURL := flag.String("django-url", envOr("BRIDGE_DJANGO_URL", "http://localhost:8000/"), "where the Django side is (BRIDGE_DJANGO_URL)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := config{Addr: *addr, DB: *db, SecretKey: []byte(envOr("BRIDGE_SECRET_KEY", defaultSecretKey)), DjangoURL: *djangoURL}
	err := run(ctx, cfg, func(addr string) { fmt.Printf("Go side of the bridge on http://%s (Django: %s)\n", addr, *djangoURL) })
	if err != nil {
		slog.Error("django-bridge", "error", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// config is what the service needs.
type config struct {
	Addr      string // where to listen
	DB        string // Django's SQLite database
	SecretKey []byte // Django's SECRET_KEY
	DjangoURL string // the Django side, for links
	Logger    *slog.Logger
}

// run serves until ctx ends; ready gets the address once it listens.
func run(ctx context.Context, cfg config, ready func(addr string)) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h, closeStore, err := newHandler(cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ready(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// bridge is the Go service.
type bridge struct {
	db     *sql.DB
	auth   *djangoauth.Auth
	cfg    config
	logger *slog.Logger
}

// newHandler opens Django's database and returns the service's handler
// and the function that closes the database.
func newHandler(cfg config) (http.Handler, func() error, error) {
	// Django's migrate made django_session; the store only uses it.
	store, err := sqlite.Open(cfg.DB, sqlstore.WithDjangoTable())
	if err != nil {
		return nil, nil, err
	}
	codec, err := session.NewDjangoCodec(cfg.SecretKey)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	b := &bridge{db: store.DB(), auth: &djangoauth.Auth{SecretKey: cfg.SecretKey}, cfg: cfg, logger: cfg.Logger}
	sessions := &session.Manager{Store: store, Codec: codec, Logger: cfg.Logger}
	// Django's default storage: the messages cookie, overflowing into the
	// session in Django's form.
	storage := messages.NewFallbackStorage(cfg.SecretKey)
	storage.Session.Django = true
	flashes := &messages.Manager{Storage: storage, Logger: cfg.Logger}
	// Django 3.2 writes the csrftoken cookie masked; so does this side.
	guard, err := csrf.New(csrf.Options{MaskCookie: true, Logger: cfg.Logger})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", b.index)
	mux.HandleFunc("POST /cart/add", b.cartAdd)
	mux.HandleFunc("POST /logout", b.logout)
	return sessions.Middleware(flashes.Middleware(guard.Protect(mux))), store.Close, nil
}

// user returns the username and password hash of Django's user id.
func (b *bridge) user(ctx context.Context, id string) (username, password string, found bool, err error) {
	err = b.db.QueryRowContext(ctx, "SELECT username, password FROM auth_user WHERE id = ? AND is_active", id).Scan(&username, &password)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return username, password, err == nil, err
}

// lookup is the djangoauth.PasswordLookup on auth_user.
func (b *bridge) lookup(ctx context.Context, id string) (string, bool, error) {
	_, password, found, err := b.user(ctx, id)
	return password, found, err
}

var page = template.Must(template.New("").Funcs(messages.FuncMap()).Funcs(csrf.FuncMap()).Parse(`<!doctype html>
<title>Go side of the bridge</title>
<h1>Go</h1>
{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.}}</li>{{end}}</ul>{{end}}
{{if .Username}}<p id="user">Logged in as {{.Username}}.</p>
<form method="post" action="/logout">{{csrfField .Request}}<button>Log out</button></form>
{{else}}<p id="user">Not logged in: <a href="{{.DjangoURL}}">log in on Django</a>.</p>{{end}}
<h2>Cart</h2>
<ul id="cart">{{range .Cart}}<li>{{.Name}} × {{.N}}</li>{{else}}<li>empty</li>{{end}}</ul>
<form method="post" action="/cart/add">{{csrfField .Request}}{{range $id, $name := .Products}}<button name="product" value="{{$id}}">Add a {{$name}}</button> {{end}}</form>
<p><a href="{{.DjangoURL}}">The Django side</a></p>
`))

// line is one product in the cart.
type line struct {
	Name string
	N    int
}

func (b *bridge) index(w http.ResponseWriter, r *http.Request) {
	s := session.From(r)
	id, err := b.auth.User(r.Context(), s, b.lookup)
	if err != nil {
		b.logger.ErrorContext(r.Context(), "bridge: who is logged in", "error", err)
		http.Error(w, "Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	var username string
	if id != "" {
		username, _, _, err = b.user(r.Context(), id)
		if err != nil {
			http.Error(w, "Service unavailable.", http.StatusServiceUnavailable)
			return
		}
	}
	cart, _ := session.Value[map[string]int](s, "cart")
	var lines []line
	for _, k := range slices.Sorted(maps.Keys(cart)) {
		name, ok := products[k]
		if !ok {
			name = k
		}
		lines = append(lines, line{name, cart[k]})
	}
	var buf bytes.Buffer // render first: messages and the CSRF cookie go out with the headers
	err = page.Execute(&buf, map[string]any{
		"Request": r, "Username": username, "Cart": lines, "Products": products, "DjangoURL": b.cfg.DjangoURL,
	})
	if err != nil {
		b.logger.ErrorContext(r.Context(), "bridge: render", "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}

func (b *bridge) cartAdd(w http.ResponseWriter, r *http.Request) {
	product := r.PostFormValue("product")
	name, ok := products[product]
	if !ok {
		http.Error(w, "No such product.", http.StatusBadRequest)
		return
	}
	_, err := session.Update(session.From(r), "cart", func(c map[string]int) map[string]int {
		if c == nil {
			c = map[string]int{}
		}
		c[product]++
		return c
	})
	if err != nil {
		http.Error(w, "Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	messages.Success(r, name+" added to the cart.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (b *bridge) logout(w http.ResponseWriter, r *http.Request) {
	if err := djangoauth.Logout(r); err != nil {
		http.Error(w, "Service unavailable.", http.StatusServiceUnavailable)
		return
	}
	messages.Info(r, "Logged out, here and on Django.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
