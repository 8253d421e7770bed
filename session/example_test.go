package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// browser replays the cookies a server set, like a browser would.
type browser struct {
	h       http.Handler
	cookies map[string]*http.Cookie
}

func (b *browser) do(method, target string) string {
	req := httptest.NewRequest(method, target, nil)
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		b.cookies[c.Name] = c
	}
	return rec.Body.String()
}

// The tutorial's "recently viewed" list: each post page puts its id first
// in a list kept in the session, ten at most. session.Update applies the
// change even when the user has several tabs loading at once.
func Example_recentlyViewed() {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		recent, _ := session.Update(session.From(r), "recent_posts", func(ids []int) []int {
			out := []int{id}
			for _, old := range ids {
				if old != id && len(out) < 10 {
					out = append(out, old)
				}
			}
			return out
		})
		fmt.Fprintf(w, "post %d, recently viewed %v", id, recent)
	})

	b := &browser{h: m.Middleware(mux), cookies: map[string]*http.Cookie{}}
	b.do("GET", "/posts/1")
	b.do("GET", "/posts/2")
	fmt.Println(b.do("GET", "/posts/3"))
	fmt.Println(b.do("GET", "/posts/1"))
	// Output:
	// post 3, recently viewed [3 2 1]
	// post 1, recently viewed [1 3 2]
}

// The tutorial's guest cart: a map of product id to quantity in the
// session. Adding goes through session.Update, so two "add" clicks sent at
// the same time both count.
func Example_guestCart() {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart/add/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		_, err := session.Update(session.From(r), "cart", func(cart map[string]int) map[string]int {
			if cart == nil {
				cart = map[string]int{}
			}
			cart[id]++
			return cart
		})
		if err != nil {
			http.Error(w, "cannot update the cart", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/cart", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		cart, _ := session.Value[map[string]int](session.From(r), "cart")
		fmt.Fprintf(w, "cart: %v", cart)
	})

	b := &browser{h: m.Middleware(mux), cookies: map[string]*http.Cookie{}}
	fmt.Println(b.do("GET", "/cart"))
	b.do("POST", "/cart/add/5")
	b.do("POST", "/cart/add/5")
	b.do("POST", "/cart/add/7")
	fmt.Println(b.do("GET", "/cart"))
	// Output:
	// cart: map[]
	// cart: map[5:2 7:1]
}

// Login cycles the key (a key planted before the login is worthless after
// it) and logout flushes the session.
func ExampleSession_CycleKey() {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.CycleKey()
		s.Set("user", "demo")
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Flush()
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		user, ok := session.Value[string](session.From(r), "user")
		fmt.Fprintf(w, "user=%q logged in=%v", user, ok)
	})

	b := &browser{h: m.Middleware(mux), cookies: map[string]*http.Cookie{}}
	b.do("POST", "/login")
	fmt.Println(b.do("GET", "/"))
	b.do("POST", "/logout")
	fmt.Println(b.do("GET", "/"))
	// Output:
	// user="demo" logged in=true
	// user="" logged in=false
}

// SetExpiry(0) makes the session end with the browser: "remember me"
// unchecked.
func ExampleSession_SetExpiry() {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("user", "demo")
		if r.FormValue("remember") == "" {
			s.SetExpiry(0)
		}
	}))
	for _, target := range []string{"/login?remember=on", "/login"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", target, nil))
		c := rec.Result().Cookies()[0]
		fmt.Printf("%s: Max-Age=%d\n", target, c.MaxAge)
	}
	// Output:
	// /login?remember=on: Max-Age=1209600
	// /login: Max-Age=0
}
