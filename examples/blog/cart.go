package main

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
)

const productsPerPage = 50

// products lists a page of the catalogue with add-to-cart buttons.
func (a *app) products(w http.ResponseWriter, r *http.Request) {
	pages := (productCount + productsPerPage - 1) / productsPerPage
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	page = min(page, pages)
	list, err := a.db.products(r.Context(), (page-1)*productsPerPage, productsPerPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := &view{Title: "Shop", Products: list, ProductTotal: productCount, Page: page, Pages: pages}
	if page > 1 {
		v.PrevPage = page - 1
	}
	if page < pages {
		v.NextPage = page + 1
	}
	a.render(w, r, http.StatusOK, "products", v)
}

// cartAdd adds one of a product to the session's cart. session.Update
// replays the change on a fresh copy when another request changed the
// session meanwhile, so concurrent adds are never lost.
func (a *app) cartAdd(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("product_id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	p, ok, err := a.db.product(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	key := strconv.FormatInt(id, 10)
	cart, err := session.Update(session.From(r), "cart", func(cart map[string]int) map[string]int {
		if cart == nil {
			cart = map[string]int{}
		}
		cart[key]++
		return cart
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if r.Header.Get("Accept") == "application/json" {
		writeJSON(w, http.StatusOK, map[string]any{"added": id})
		return
	}
	messages.Success(r, fmt.Sprintf("%s was added to your cart.", p.Name), "cart") // an extra tag: one more CSS class
	if r.Header.Get("HX-Request") == "true" {
		// htmx (hx-post on the form) swaps in the new cart link; the
		// message it does not render goes out in HX-Trigger, a toast.
		count := 0
		for _, q := range cart {
			count += q
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<a href="/cart" id="cart-link">Cart (%d)</a>`, count)
		return
	}
	// Without JavaScript the form posts as usual: to the cart page.
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
}

// cartLine is one row of the cart page.
type cartLine struct {
	Product  Product
	Quantity int
	Total    string
}

// cart shows the cart with product names and totals.
func (a *app) cart(w http.ResponseWriter, r *http.Request) {
	cart, _ := session.Value[map[string]int](session.From(r), "cart")
	var lines []cartLine
	sum := 0
	for id, q := range cart {
		n, _ := strconv.ParseInt(id, 10, 64)
		p, ok, err := a.db.product(r.Context(), n)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !ok {
			continue
		}
		lines = append(lines, cartLine{Product: p, Quantity: q, Total: Product{Price: p.Price * q}.PriceText()})
		sum += p.Price * q
	}
	slices.SortFunc(lines, func(x, y cartLine) int { return int(x.Product.ID - y.Product.ID) })
	a.render(w, r, http.StatusOK, "cart", &view{Title: "Cart", Lines: lines, CartTotal: Product{Price: sum}.PriceText()})
}

// apiCart answers the cart as JSON: {"items":{"ID":QTY}}.
func (a *app) apiCart(w http.ResponseWriter, r *http.Request) {
	cart, _ := session.Value[map[string]int](session.From(r), "cart")
	if cart == nil {
		cart = map[string]int{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cart})
}
