package main

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
)

// The demo account, stated on the login page.
const demoUser, demoPassword = "demo", "demo"

// rememberFor is how long "stay logged in" keeps the session.
const rememberFor = 14 * 24 * time.Hour

func (a *app) loginForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "login", &view{Title: "Log in"})
}

// login checks the demo account. On success it gives the session a new key
// (the old one may have been planted by an attacker: session fixation;
// the cart and everything else in the session carry over), rotates the
// CSRF token, and sets the session to end with the browser unless "stay
// logged in" was ticked.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user, pass := r.PostFormValue("username"), r.PostFormValue("password")
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(demoUser))
	okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(demoPassword))
	if okUser&okPass != 1 {
		messages.Error(r, "Wrong username or password. The demo account is demo / demo.")
		a.render(w, r, http.StatusOK, "login", &view{Title: "Log in", Form: map[string]string{"Username": user}})
		return
	}
	s := session.From(r)
	expiry := time.Duration(0) // with the browser
	if r.PostFormValue("remember") != "" {
		expiry = rememberFor
	}
	err := s.CycleKey()
	if err == nil {
		err = s.Set("user", demoUser)
	}
	if err == nil && a.sessions.Users != nil {
		err = s.SetUser(demoUser) // listed on /account/sessions
	}
	if err == nil {
		err = s.SetExpiry(expiry)
	}
	if err == nil {
		err = csrf.Rotate(r)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	messages.Successf(r, "Welcome back, %s.", demoUser)
	http.Redirect(w, r, "/", http.StatusFound)
}

// logout empties the session (a new, empty one replaces it), deletes the
// visited cookie and says goodbye.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if err := session.From(r).Flush(); err != nil {
		a.fail(w, r, err)
		return
	}
	cookie.Delete(w, "visited", cookie.Options{Secure: a.cfg.Secure})
	messages.Info(r, "You have been logged out.")
	http.Redirect(w, r, "/", http.StatusFound)
}
