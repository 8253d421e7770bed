package tetherecho_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	tetherecho "github.com/tetherweb/tether/integrations/echo"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// Sessions in an Echo app: a handler that stores a value gets its
// cookie; one that fails after changing the session gets Echo's 500 and
// saves nothing.
func Example() {
	store := memstore.New()
	defer store.Close()
	sessions := &session.Manager{Store: store}

	e := echo.New()
	e.Use(tetherecho.Wrap(sessions.Middleware))
	e.GET("/visit", func(c echo.Context) error {
		n, _ := session.Value[int](session.From(c.Request()), "visits")
		session.From(c.Request()).Set("visits", n+1)
		return c.String(http.StatusOK, fmt.Sprint("visit ", n+1))
	})
	e.GET("/broken", func(c echo.Context) error {
		session.From(c.Request()).Set("visits", 1000)
		return errors.New("the database is down")
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/visit", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), cookie.Name)

	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	broken := get("/broken")
	fmt.Println(broken.Code, len(broken.Result().Cookies()))
	fmt.Println(get("/visit").Body.String())
	// Output:
	// visit 1 sessionid
	// 500 0
	// visit 2
}
