package deploy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/deploy"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
)

func hello(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") }

func ExampleCheck() {
	ws := deploy.Check(deploy.Deployment{
		Secure:    &secure.Options{SSLRedirect: true, HSTSMaxAge: time.Hour},
		Proxy:     proxy.MustNew(proxy.Config{Trusted: []string{"0.0.0.0/0"}}),
		Session:   &session.Manager{},
		CSRF:      &csrf.Options{TrustedOrigins: []string{"http://localhost:5173"}},
		SecretKey: []byte("change me"),
	})
	for _, w := range ws {
		fmt.Println(w.ID)
	}
	// Output:
	// security.W005
	// security.W009
	// security.W012
	// security.W020
	// security.W021
	// tether.W001
	// tether.W004
	// tether.W005
}

func ExampleWarning_String() {
	for _, w := range deploy.CheckSecretKey([]byte("django-insecure-abc")) {
		fmt.Println(w)
	}
	// Output:
	// ?: (security.W009) The secret key is prefixed 'django-insecure-', a development key Django generated: signatures and encrypted cookies made with it can be forged or guessed.
	// 	HINT: Generate a long random key with 'tether keygen' and keep it out of the source code (TETHER_SECRET_KEY).
}

// CheckSite judges what a live site sends; "tether check --deploy URL"
// fetches the responses.
func ExampleCheckSite() {
	site := httptest.NewTLSServer(secure.MustNew(secure.Options{}).Middleware(http.HandlerFunc(hello)))
	defer site.Close()
	res, err := site.Client().Get(site.URL)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	for _, w := range deploy.CheckSite(deploy.Site{HTTPS: []*http.Response{res}}) {
		fmt.Println(w.ID)
	}
	// Output:
	// security.W004
}
