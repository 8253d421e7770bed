package tethergin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	tethergin "github.com/tetherweb/tether/integrations/gin"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// Sessions in a Gin app: the cookie goes out with the response that
// stored a value; a 500 saves nothing.
func Example() {
	gin.SetMode(gin.ReleaseMode)
	store := memstore.New()
	defer store.Close()
	sessions := &session.Manager{Store: store}

	r := gin.New()
	r.Use(tethergin.Wrap(sessions.Middleware))
	r.GET("/visit", func(c *gin.Context) {
		n, _ := session.Value[int](session.From(c.Request), "visits")
		session.From(c.Request).Set("visits", n+1)
		c.String(http.StatusOK, "visit %d", n+1)
	})
	r.GET("/broken", func(c *gin.Context) {
		session.From(c.Request).Set("visits", 1000)
		c.String(http.StatusInternalServerError, "the database is down")
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/visit", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), cookie.Name)

	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
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
