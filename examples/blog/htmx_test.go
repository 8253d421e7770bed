package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var hxHeadersAttr = regexp.MustCompile(`<body hx-headers='\{&#34;X-CSRFToken&#34;:&#34;([A-Za-z0-9]+)&#34;\}'>`)

// hxToken returns the CSRF token of a page's hx-headers attribute.
func (c *client) hxToken(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := hxHeadersAttr.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no hx-headers on %s:\n%.600s", path, body)
	}
	return m[1]
}

// hxPost sends what htmx sends for an hx-post form: the form, HX-Request
// and the hx-headers token (none when token is "").
func (c *client) hxPost(path string, form url.Values, token string) (*http.Response, string) {
	c.t.Helper()
	hdr := []string{"Content-Type", "application/x-www-form-urlencoded", "Origin", c.base, "HX-Request", "true"}
	if token != "" {
		hdr = append(hdr, "X-CSRFToken", token)
	}
	return c.do("POST", path, strings.NewReader(form.Encode()), hdr...)
}

// hxMessages decodes the "messages" event of a response's HX-Trigger.
func hxMessages(t *testing.T, resp *http.Response) []map[string]any {
	t.Helper()
	v := resp.Header.Get("HX-Trigger")
	if v == "" {
		return nil
	}
	var obj map[string]json.RawMessage
	var msgs []map[string]any
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		t.Fatalf("HX-Trigger %q: %v", v, err)
	}
	if raw := obj["messages"]; raw != nil {
		if err := json.Unmarshal(raw, &msgs); err != nil {
			t.Fatalf("HX-Trigger %q: %v", v, err)
		}
	}
	return msgs
}

// TestHTMXCartAdd: the products page's forms are htmx forms that still
// post as plain forms; htmx's add answers the new cart link, with the
// message in HX-Trigger (once: the cart page does not show it again).
func TestHTMXCartAdd(t *testing.T) {
	c := newSite(t, config{}, "").client()
	_, body := c.get("/products")
	if !strings.Contains(body, `<form method="post" action="/cart/add/7" class="inline" hx-post="/cart/add/7" hx-target="#cart-link" hx-swap="outerHTML">`) ||
		!strings.Contains(body, `<script src="/static/htmx.min.js"></script>`) || !strings.Contains(body, `<div id="toasts"`) {
		t.Fatalf("products page lacks the htmx form, script or toast area:\n%.2000s", body)
	}
	token := c.hxToken("/products")
	resp, body := c.hxPost("/cart/add/7", url.Values{}, token)
	if resp.StatusCode != 200 || body != `<a href="/cart" id="cart-link">Cart (1)</a>` {
		t.Fatalf("htmx add: %d %q", resp.StatusCode, body)
	}
	got := hxMessages(t, resp)
	if len(got) != 1 || !strings.HasSuffix(fmt.Sprint(got[0]["text"]), " No. 7 was added to your cart.") || got[0]["tags"] != "cart success" || got[0]["level"] != 25.0 {
		t.Fatalf("HX-Trigger %q", resp.Header.Get("HX-Trigger"))
	}
	resp, body = c.hxPost("/cart/add/7", url.Values{}, token)
	if body != `<a href="/cart" id="cart-link">Cart (2)</a>` || len(hxMessages(t, resp)) != 1 {
		t.Fatalf("second htmx add: %q, HX-Trigger %q", body, resp.Header.Get("HX-Trigger"))
	}
	_, body = c.get("/cart")
	if got := messagesIn(body); len(got) != 0 {
		t.Fatalf("messages shown again on the cart page: %q", got)
	}
	if !strings.Contains(body, `<td class="qty">2</td>`) {
		t.Fatal("cart page lacks the quantity")
	}
}

// TestHTMXRefusal: an htmx post without the token is refused with the
// short answer htmx does not swap, and the reason as an event.
func TestHTMXRefusal(t *testing.T) {
	c := newSite(t, config{}, "").client()
	c.get("/products")
	resp, body := c.hxPost("/cart/add/7", url.Values{}, "")
	if resp.StatusCode != 403 || resp.Header.Get("HX-Reswap") != "none" || body != "CSRF verification failed: CSRF token missing.\n" {
		t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
	}
	var ev map[string]map[string]string
	if err := json.Unmarshal([]byte(resp.Header.Get("HX-Trigger")), &ev); err != nil || ev["csrf-failure"]["reason"] != "CSRF token missing." {
		t.Fatalf("HX-Trigger %q: %v", resp.Header.Get("HX-Trigger"), err)
	}
	if _, body := c.get("/api/cart"); strings.TrimSpace(body) != `{"items":{}}` {
		t.Fatalf("refused add changed the cart: %s", body)
	}
	// A message still pending (a plain form's add, whose page was never
	// loaded) rides along with the refusal's event in one HX-Trigger.
	c.post("/cart/add/9", nil, true)
	resp, _ = c.hxPost("/cart/add/7", url.Values{}, "")
	var both map[string]json.RawMessage
	if err := json.Unmarshal([]byte(resp.Header.Get("HX-Trigger")), &both); err != nil || both["csrf-failure"] == nil ||
		len(hxMessages(t, resp)) != 1 {
		t.Fatalf("refusal with a pending message: HX-Trigger %q", resp.Header.Get("HX-Trigger"))
	}
}

// TestHTMXPostForm: the post form posts through htmx with the header
// token; the redirect is followed by the browser (htmx sees only the
// page it leads to), whose main shows the message, so HX-Trigger
// does not repeat it. An invalid post answers the form with its error.
func TestHTMXPostForm(t *testing.T) {
	c := newSite(t, config{}, "").client()
	_, body := c.get("/posts/new")
	if !strings.Contains(body, `hx-post="/posts/new" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-push-url="true"`) {
		t.Fatalf("the post form is no htmx form:\n%s", body)
	}
	token := c.hxToken("/posts/new")
	resp, _ := c.hxPost("/posts/new", url.Values{"title": {"Via htmx"}}, token)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("HX-Trigger") != "" {
		t.Fatalf("htmx post: %d to %q, HX-Trigger %q", resp.StatusCode, loc, resp.Header.Get("HX-Trigger"))
	}
	resp, body = c.do("GET", loc, nil, "HX-Request", "true")
	if got := messagesIn(body); !slices.Equal(got, []string{"The post has been saved."}) || resp.Header.Get("HX-Trigger") != "" {
		t.Fatalf("page after the redirect: messages %q, HX-Trigger %q", got, resp.Header.Get("HX-Trigger"))
	}
	resp, body = c.hxPost("/posts/new", url.Values{"title": {" "}}, token)
	if resp.StatusCode != 200 || !slices.Equal(messagesIn(body), []string{"Please check the input again."}) ||
		resp.Header.Get("HX-Trigger") != "" {
		t.Fatalf("invalid htmx post: %d, messages %q, HX-Trigger %q", resp.StatusCode, messagesIn(body), resp.Header.Get("HX-Trigger"))
	}
}

// TestHTMXVendored: htmx is served from the demo itself, with its
// licence.
func TestHTMXVendored(t *testing.T) {
	c := newSite(t, config{}, "").client()
	resp, body := c.get("/static/htmx.min.js")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "/*! htmx 2.0.11 (https://htmx.org)") ||
		!strings.Contains(body, "Zero-Clause BSD") || !strings.Contains(body, "var htmx=function()") {
		t.Fatalf("%d %.200q", resp.StatusCode, body)
	}
}
