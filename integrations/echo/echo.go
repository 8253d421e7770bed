// Package tetherecho runs tether's net/http middleware (session, messages,
// csrf, secure) in an Echo (github.com/labstack/echo/v4) application.
//
// echo.WrapMiddleware is almost enough: it hands the middleware Echo's
// response, and the handler writes through the middleware's writer, so
// sessions and messages are saved just before the headers go out. But an
// Echo handler that fails returns its error, and Echo writes the error
// page (echo.HTTPErrorHandler) only after every middleware has returned:
// by then tether's middleware has already committed, as if the handler
// had answered 200 with nothing. A handler that changed the session and
// then returned an error would have the change saved and its cookie sent
// with the 500, and messages it read would be consumed by an error page
// that never showed them. Wrap answers the error while the middleware
// still watches the response, so the commit sees the real status (and
// saves nothing on a 5xx).
package tetherecho

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Wrap turns a net/http middleware into Echo middleware:
//
//	e.Use(tetherecho.Wrap(sessions.Middleware), tetherecho.Wrap(flashes.Middleware), tetherecho.Wrap(protect))
//
// The handlers behind it see the request the middleware passed on (so
// session.From(c.Request()) and messages.Get(c.Request()) work) and write
// through the middleware's response writer. When a handler returns an
// error, Wrap answers it with c.Error (Echo's HTTPErrorHandler) inside the
// middleware and still returns it, as Echo's Logger middleware does, so
// outer middleware can log it; Echo's default error handler then writes
// nothing more, since the response is committed (a custom
// HTTPErrorHandler must check c.Response().Committed too). A request the
// middleware answers itself (a CSRF 403, a redirect to HTTPS) never
// reaches the handlers.
func Wrap(mw func(http.Handler) http.Handler) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			orig := c.Response()
			// Every write goes down to orig, which then knows the status
			// and whether the response is committed; outer middleware and
			// Echo's error handler (after a panic too) use it again.
			defer c.SetResponse(orig)
			var err error
			mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				c.SetResponse(echo.NewResponse(w, c.Echo()))
				if err = next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(orig, c.Request())
			return err
		}
	}
}
