#!/usr/bin/python3
"""Django side of the SECRET_KEY rotation check (SECRET_KEY_FALLBACKS,
Django 4.1+). Django 3.2 has no fallbacks, but the values are the same in
every version: what 4.1 adds is that verifiers also try old keys. So this
script signs, or verifies, with the one SECRET_KEY given, and the Go test
checks that tether reads values signed with an old key only when that key
is among its fallbacks, and signs with the current key alone.

    /usr/bin/python3 rotation_vectors.py sign KEY
        Print {"session_data", "signed_cookies", "messages", "color"}: a db
        session's session_data, a signed_cookies session cookie, a messages
        cookie and set_signed_cookie("color", "blue"), all signed with KEY.
    /usr/bin/python3 rotation_vectors.py verify KEY < values.json
        Read the same object and print, for each member, what Django with
        SECRET_KEY = KEY reads from it, or null when it refuses it.

Output is ASCII-only JSON on stdout.
"""

import json
import sys


def setup(key):
    from django.conf import settings

    settings.configure(
        SECRET_KEY=key,
        INSTALLED_APPS=["django.contrib.sessions", "django.contrib.messages"],
        DATABASES={},
        USE_TZ=True,
    )
    import django

    django.setup()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("sign", "verify"):
        sys.exit("usage: rotation_vectors.py sign|verify KEY")
    setup(sys.argv[2])
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.sessions.backends import db, signed_cookies
    from django.core import signing
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    color = signing.get_cookie_signer(salt="color")
    if sys.argv[1] == "sign":
        cookie_session = signed_cookies.SessionStore()
        cookie_session["cart"] = [1, 2]
        cookie_session.save()
        out = {
            "session_data": db.SessionStore().encode({"cart": [1, 2], "name": "Zo\u00eb"}),
            "signed_cookies": cookie_session.session_key,
            "messages": storage._encode([Message(25, "Saved, Zo\u00eb.")]),
            "color": color.sign("blue"),
        }
    else:
        values = json.load(sys.stdin)
        out = {}
        data = db.SessionStore().decode(values["session_data"])  # {} when refused
        out["session_data"] = data or None
        s = signed_cookies.SessionStore(session_key=values["signed_cookies"])
        data = dict(s.items())
        out["signed_cookies"] = None if s.modified else data
        msgs = storage._decode(values["messages"])
        out["messages"] = None if msgs is None else [[m.level, m.message] for m in msgs]
        try:
            out["color"] = color.unsign(values["color"])
        except signing.BadSignature:
            out["color"] = None
    json.dump(out, sys.stdout, ensure_ascii=True, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
