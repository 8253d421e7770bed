package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tetherweb/tether/testkit/servicetest"
)

// chromiumPath finds Debian's chromium ($TETHER_CHROMIUM overrides).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TETHER_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	servicetest.Unavailable(t, "no chromium on PATH (apt-get install chromium); set TETHER_CHROMIUM")
	return ""
}

// outputDir is where the browser test leaves its screenshots:
// $TETHER_TEST_OUTPUT/browser, else a folder under the system temp dir.
func outputDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TETHER_TEST_OUTPUT")
	if base == "" {
		base = filepath.Join(os.TempDir(), "tether-test-output")
	}
	dir := filepath.Join(base, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser walks the demo in headless Chromium: a post and its
// one-time success message, the recently viewed list, the cart, login and
// logout, and the fetch example with and without its CSRF header.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromiumPath(t)
	s := newSite(t, config{}, "")
	base := s.srv.URL
	out := outputDir(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1100, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	messages := func() []string {
		t.Helper()
		texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.messages li')].map(li => li.textContent.trim())`))
		if err != nil {
			t.Fatalf("read messages: %v", err)
		}
		return texts
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	// eval runs a JavaScript expression that yields a boolean.
	eval := func(js string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return ok
	}
	// script is a step that runs JavaScript in the page.
	script := func(js string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[any](js)(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	// markDocument tags the loaded document: the tag survives an htmx
	// swap, not a page load.
	markDocument := script(`window.__sameDocument = true`)
	toasts := func() []string {
		t.Helper()
		texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#toasts .toast')].map(e => e.textContent)`))
		if err != nil {
			t.Fatalf("read toasts: %v", err)
		}
		return texts
	}
	writePost := func(title string) {
		t.Helper()
		step("write "+title,
			chromedp.Navigate(base+"/posts/new"),
			chromedp.WaitVisible(`input[name=title]`),
			markDocument,
			chromedp.SendKeys(`input[name=title]`, title),
			chromedp.SendKeys(`textarea[name=body]`, "Written in a real browser."),
			chromedp.Click(`form.stack button[type=submit]`),
			chromedp.WaitVisible(`article h1`),
		)
	}

	// 1. A post, through htmx (the form's hx-post, the token in the
	// body's hx-headers): the page is not reloaded, main is swapped for
	// the post's and the address is the post's; the success message
	// shows once, then not after a reload.
	writePost("Hello from Chromium")
	if got := messages(); len(got) != 1 || got[0] != "The post has been saved." {
		t.Fatalf("after saving: messages %q", got)
	}
	if !eval(`window.__sameDocument === true && /^\/posts\/\d+$/.test(location.pathname)`) {
		t.Fatal("the post form did not go through htmx (the page was reloaded, or the address is not the post's)")
	}
	shot("01-post-saved")
	step("reload", chromedp.Reload(), chromedp.WaitVisible(`article h1`))
	if got := messages(); len(got) != 0 {
		t.Fatalf("after reload: messages %q", got)
	}

	// An invalid post: the error message and the form again.
	step("invalid post",
		chromedp.Navigate(base+"/posts/new"),
		chromedp.WaitVisible(`input[name=title]`),
		chromedp.Click(`form.stack button[type=submit]`),
		chromedp.WaitVisible(`.messages .message--error`),
	)
	if got := messages(); len(got) != 1 || got[0] != "Please check the input again." {
		t.Fatalf("invalid post: messages %q", got)
	}

	// 2. Recently viewed: the second post first.
	writePost("A second post")
	if got := text(`#recent`); !strings.Contains(got, "A second post") || strings.Index(got, "A second post") > strings.Index(got, "Hello from Chromium") {
		t.Fatalf("recent list %q", got)
	}
	shot("02-recent-posts")

	// 3. The cart, through htmx: the add swaps in the new cart link, the
	// message comes in HX-Trigger and shows as a toast, once: the cart
	// page does not show it again.
	step("add to cart with htmx",
		chromedp.Navigate(base+"/products"),
		chromedp.WaitVisible(`#add-7`),
		markDocument,
		chromedp.Click(`#add-7`),
		chromedp.WaitVisible(`#toasts .toast`),
	)
	if got := toasts(); len(got) != 1 || !strings.HasSuffix(got[0], "No. 7 was added to your cart.") {
		t.Fatalf("cart: toasts %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (1)" {
		t.Fatalf("cart link %q", got)
	}
	if !eval(`window.__sameDocument === true && location.pathname === "/products"`) || len(messages()) != 0 {
		t.Fatalf("the add did not go through htmx (page reloaded, or messages %q in the page)", messages())
	}
	shot("03-cart-toast")
	// A refused htmx request (token removed from the page) shows its
	// reason as a toast and swaps nothing.
	step("add without a token",
		script(`document.body.setAttribute('hx-headers', '{}'); `+
			`document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(e => e.remove())`),
		chromedp.Click(`#add-8`),
		chromedp.WaitVisible(`#toasts .toast.csrf`),
	)
	if got := text(`#toasts .toast.csrf`); got != "Refused: CSRF token missing." {
		t.Fatalf("refusal toast %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (1)" {
		t.Fatalf("cart link after the refusal %q", got)
	}
	step("cart page",
		chromedp.Navigate(base+"/cart"),
		chromedp.WaitVisible(`table.cart`),
	)
	if got := messages(); len(got) != 0 {
		t.Fatalf("the toast's message shown again on the cart page: %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (1)" {
		t.Fatalf("cart link %q", got)
	}
	shot("03-cart")

	// 4. Log in: the cart survives.
	step("log in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "demo"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Click(`#login-submit`),
		chromedp.WaitVisible(`#logout`),
	)
	if got := messages(); len(got) != 1 || got[0] != "Welcome back, demo." {
		t.Fatalf("login: messages %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (1)" {
		t.Fatalf("cart after login %q", got)
	}

	// 5. The fetch example: 201 with the header, 403 without.
	step("fetch with X-CSRFToken",
		chromedp.Click(`#api-with`),
		chromedp.WaitVisible(`#api-result[data-status]`),
	)
	status, err := chromedp.Run(ctx, chromedp.AttributeValue(`#api-result`, "data-status"))
	if err != nil || status.Value != "201" {
		t.Fatalf("fetch with the header: %v %v (%s)", status, err, text(`#api-result`))
	}
	shot("04-logged-in-fetch")
	step("fetch without X-CSRFToken",
		chromedp.Click(`#api-without`),
		chromedp.WaitVisible(`#api-result[data-status="403"]`),
	)

	// 5b. Active sessions: a second "device" (a Go client) logs in; the
	// page lists both, this one marked; "Sign out all other devices"
	// logs the Go client out and leaves one row.
	laptop := s.client()
	laptop.http.Transport = agentTransport{firefoxWindows}
	laptop.logIn()
	step("sessions page",
		chromedp.Click(`#sessions-link`),
		chromedp.WaitVisible(`table.devices`),
	)
	rows := `document.querySelectorAll('table.devices tbody tr[id^="device-"]')`
	if !eval(rows + `.length === 2 && document.querySelectorAll('tr.current').length === 1 && ` +
		`document.querySelector('tr.current').textContent.includes('Headless Chrome') && document.querySelector('tr.current .badge').textContent === 'this device'`) {
		t.Fatalf("sessions page: want 2 rows, this browser's marked: %q", text(`table.devices`))
	}
	shot("05-sessions-two-devices")
	step("sign out the others",
		chromedp.Click(`#revoke-others`),
		chromedp.WaitVisible(`.messages .message--success`),
	)
	if got := messages(); len(got) != 1 || got[0] != "Signed out 1 other device." {
		t.Fatalf("sign out the others: messages %q", got)
	}
	if !eval(rows + `.length === 1 && document.querySelector('tr.current') !== null`) {
		t.Fatalf("sessions page after signing out the others: %q", text(`table.devices`))
	}
	if laptop.loggedIn() {
		t.Fatal("the other device is still logged in")
	}
	shot("05-sessions-one-device")

	// 6. Log out.
	step("log out",
		chromedp.Click(`#logout`),
		chromedp.WaitVisible(`#login-link`),
	)
	if got := messages(); len(got) != 1 || got[0] != "You have been logged out." {
		t.Fatalf("logout: messages %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (0)" {
		t.Fatalf("cart after logout %q", got)
	}
	shot("05-logged-out")

	// 7. Without JavaScript (a new tab, scripts off): the same forms post
	// as plain forms, and the messages show in the page after the
	// redirect.
	noJS, cancelNoJS := chromedp.NewContext(ctx)
	defer cancelNoJS()
	ctx = noJS // the helpers above now drive this tab
	step("scripts off", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
	step("add to cart without JavaScript",
		chromedp.Navigate(base+"/products"),
		chromedp.WaitVisible(`#add-9`),
		chromedp.Click(`#add-9`),
		chromedp.WaitVisible(`table.cart`),
	)
	if got := messages(); len(got) != 1 || !strings.HasSuffix(got[0], "No. 9 was added to your cart.") {
		t.Fatalf("no-JS cart: messages %q", got)
	}
	if got := text(`#cart-link`); got != "Cart (1)" {
		t.Fatalf("no-JS cart link %q", got)
	}
	if got := toasts(); len(got) != 0 {
		t.Fatalf("toasts without JavaScript: %q", got)
	}
	shot("06-cart-no-js")
	writePost("Written without JavaScript")
	if got := messages(); len(got) != 1 || got[0] != "The post has been saved." {
		t.Fatalf("no-JS post: messages %q", got)
	}
	if eval(`window.__sameDocument === true`) {
		t.Fatal("the post form went through htmx with scripts off")
	}
	t.Logf("screenshots in %s", out)
}
