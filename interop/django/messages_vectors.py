#!/usr/bin/python3
"""Django side of the cross-check of tether's messages package.

Run with an interpreter that can import Django:

    /usr/bin/python3 messages_vectors.py generate
        Print a JSON document of messages cookies written by Django's own
        CookieStorage and FallbackStorage (through storage.update on a real
        response), and of SessionStorage's session value, each with the
        messages it holds.

    /usr/bin/python3 messages_vectors.py verify < items.json
        Read {"items": [{"name", "kind": "cookie"|"session", "value"}]} and
        print, for each, what Django's storages read from it: the messages
        (level, text, extra_tags, safe) and whether all were retrieved (false
        when the value ends with the not-finished marker).

SECRET_KEY is the reference's verification key and the signing clock is
frozen at NOW. The output is ASCII-only JSON on stdout.
"""

import json
import random
import sys
import types

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NOW = 1700000000


def setup():
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions", "django.contrib.messages"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        DATABASES={},
        USE_TZ=True,
    )
    import django

    django.setup()
    from django.core import signing

    signing.time = types.SimpleNamespace(time=lambda: float(NOW))


def request():
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory

    req = RequestFactory().get("/")
    req.session = SessionStore()
    return req


def describe(msgs):
    from django.utils.safestring import SafeData

    return [
        {"level": m.level, "text": str(m.message), "extra_tags": m.extra_tags,
         "safe": isinstance(m.message, SafeData)}
        for m in msgs
    ]


def texts(n, size, seed):
    """n incompressible texts of size characters."""
    rnd = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return ["%02d %s" % (i, "".join(rnd.choice(alphabet) for _ in range(size - 3))) for i in range(n)]


def add_all(storage, spec):
    from django.utils.safestring import mark_safe

    for level, text, extra, safe in spec:
        storage.add(level, mark_safe(text) if safe else text, extra_tags=extra)


def generate():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.messages.storage.session import SessionStorage
    from django.http import HttpResponse

    cases = [
        ("three", "cookie", [
            (constants.INFO, "Hello world.", "", False),
            (constants.WARNING, "Your account expires in three days.", "account expiry", False),
            (constants.ERROR, "<b>Document</b> deleted.", "doc", True),
        ]),
        ("non-ASCII and quotes", "cookie", [
            (constants.SUCCESS, "Zo\u00eb \u2603 \U0001F600 \"q\" \\ ; , <&>", "", False),
            (55, "custom level", "a b", False),
        ]),
        ("cookie overflow", "cookie", [(constants.INFO, t, "", False) for t in texts(8, 302, 1)]),
        ("fallback overflow", "fallback", [(constants.INFO, t, "x", False) for t in texts(8, 302, 2)]),
        ("session", "session", [
            (constants.INFO, "Hello", "", False),
            (constants.ERROR, "<i>safe</i> \u00e9", "t", True),
        ]),
    ]
    out = []
    for name, kind, spec in cases:
        req = request()
        storage = {"cookie": CookieStorage, "fallback": FallbackStorage, "session": SessionStorage}[kind](req)
        add_all(storage, spec)
        resp = HttpResponse()
        unstored = storage.update(resp)
        item = {
            "name": name,
            "kind": kind,
            "added": [{"level": l, "text": t, "extra_tags": e or None, "safe": s} for l, t, e, s in spec],
            "unstored": len(unstored or []),
        }
        if kind == "session":
            item["value"] = req.session["_messages"]
        else:
            item["value"] = resp.cookies["messages"].value
            if kind == "fallback":
                item["session_value"] = req.session.get("_messages", "")
        out.append(item)
    return {"secret_key": SECRET_KEY, "now": NOW, "vectors": out}


def verify(items):
    from django.contrib.messages.storage.cookie import CookieStorage, MessageDecoder

    out = []
    for item in items:
        res = {"name": item["name"]}
        try:
            if item["kind"] == "cookie":
                req = request()
                req.COOKIES["messages"] = item["value"]
                storage = CookieStorage(req)
                msgs, all_retrieved = storage._get()
                if msgs is None:
                    raise ValueError("cookie not readable")
                # A bad cookie reads as no messages and marks the storage used.
                if not msgs and storage.used:
                    raise ValueError("cookie rejected")
            else:
                msgs = json.loads(item["value"], cls=MessageDecoder)
                all_retrieved = True
            res.update(ok=True, messages=describe(msgs), all_retrieved=bool(all_retrieved))
        except Exception as e:  # noqa: BLE001 - reported to the Go side
            res.update(ok=False, error="%s: %s" % (type(e).__name__, e))
        out.append(res)
    return out


def main():
    setup()
    if sys.argv[1:] == ["generate"]:
        doc = generate()
    elif sys.argv[1:] == ["verify"]:
        doc = verify(json.load(sys.stdin)["items"])
    else:
        sys.exit("usage: messages_vectors.py generate|verify")
    json.dump(doc, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
