#!/usr/bin/python3
"""Django side of the cross-check of tether's csrf package.

Run with an interpreter that can import Django:

    /usr/bin/python3 csrf_vectors.py generate
        Print {"cookie", "tokens"}: a csrftoken cookie value as Django's
        get_token writes it (a masked 64-character token on 3.2 and 4.0,
        the 32-character secret on 4.1+) and five tokens masked for it, as
        templates receive them.

    /usr/bin/python3 csrf_vectors.py verify < cases.json
        Read {"cases": [{"name", "cookie", "token", "field"}]} and print
        {"NAME": "accepted" | "rejected: REASON"}: the verdict of Django's
        own CsrfViewMiddleware on a POST carrying the cookie and the token
        in the X-CSRFToken header (field false) or the csrfmiddlewaretoken
        form field (field true).

The output is ASCII-only JSON on stdout.
"""

import json
import sys


def setup():
    from django.conf import settings

    settings.configure(
        SECRET_KEY="interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS=["testserver"],
        DATABASES={},
        USE_TZ=True,
    )
    import django

    django.setup()


def generate():
    from django.middleware import csrf
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    first = csrf.get_token(request)
    cookie = request.META["CSRF_COOKIE"]
    tokens = [first] + [csrf.get_token(request) for _ in range(4)]
    return {"cookie": cookie, "tokens": tokens}


def verify(cases):
    from django.http import HttpResponse
    from django.middleware.csrf import CsrfViewMiddleware
    from django.test import RequestFactory

    def view(request):
        return HttpResponse("ok")

    class Recording(CsrfViewMiddleware):
        reason = ""

        def _reject(self, request, reason):
            self.reason = reason
            return super()._reject(request, reason)

    middleware = Recording(view)
    factory = RequestFactory()
    out = {}
    for case in cases:
        if case["field"]:
            request = factory.post("/", {"csrfmiddlewaretoken": case["token"]})
        else:
            request = factory.post("/", {}, HTTP_X_CSRFTOKEN=case["token"])
        request.COOKIES["csrftoken"] = case["cookie"]
        middleware.process_request(request)
        response = middleware.process_view(request, view, (), {})
        if response is None:
            out[case["name"]] = "accepted"
        else:
            out[case["name"]] = "rejected: " + middleware.reason
    return out


def main():
    setup()
    if len(sys.argv) != 2 or sys.argv[1] not in ("generate", "verify"):
        sys.exit("usage: csrf_vectors.py generate | verify < cases.json")
    if sys.argv[1] == "generate":
        result = generate()
    else:
        result = verify(json.load(sys.stdin)["cases"])
    json.dump(result, sys.stdout, ensure_ascii=True, sort_keys=True, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
