"""The bridge project's one view: log in and out, and a cart in the
session."""

from django.conf import settings
from django.contrib import auth, messages
from django.shortcuts import redirect, render

PRODUCTS = {"1": "Teapot", "2": "Kettle", "5": "Mug"}


def index(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and request.POST.get("product") in PRODUCTS:
            product = request.POST["product"]
            cart = request.session.get("cart", {})
            cart[product] = cart.get(product, 0) + 1
            request.session["cart"] = cart
            messages.success(request, "%s added to the cart." % PRODUCTS[product])
        elif action == "login":
            user = auth.authenticate(
                request, username=request.POST.get("username"), password=request.POST.get("password")
            )
            if user is None:
                messages.error(request, "Wrong username or password.")
            else:
                # A new session key (the cart stays), a new CSRF secret.
                auth.login(request, user)
                messages.success(request, "Welcome, %s." % user.username)
                return redirect(settings.GO_URL)
        elif action == "logout":
            auth.logout(request)
        return redirect("index")
    cart = [(PRODUCTS.get(k, k), n) for k, n in sorted(request.session.get("cart", {}).items())]
    return render(request, "index.html", {"cart": cart, "products": PRODUCTS, "go_url": settings.GO_URL})
