#!/usr/bin/python3
"""Django side of the signed_cookies cross-check: Django's own
django.contrib.sessions.backends.signed_cookies SessionStore, with the
SECRET_KEY the Go test uses and the default SESSION_COOKIE_AGE.

    /usr/bin/python3 sessions_cookie.py write < sessions.json
        Read a JSON list of objects; print the list of sessionid cookie
        values Django's store writes for them (signing.dumps, compressed
        when that pays).
    /usr/bin/python3 sessions_cookie.py read < cookies.json
        Read a JSON list of cookie values; print, for each,
        {"valid": bool, "data": {...}}: whether Django's store accepted it
        (a refused cookie loads as an empty session that Django marks for
        saving a fresh cookie) and what it holds.

Output is ASCII-only JSON on stdout.
"""

import json
import sys


def setup():
    from django.conf import settings

    settings.configure(
        SECRET_KEY="interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        DATABASES={},
        USE_TZ=True,
    )
    import django

    django.setup()


def main():
    setup()
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    if len(sys.argv) != 2 or sys.argv[1] not in ("write", "read"):
        sys.exit("usage: sessions_cookie.py write | read < input.json")
    out = []
    for item in json.load(sys.stdin):
        if sys.argv[1] == "write":
            s = SessionStore()
            s.update(item)
            s.save()
            out.append(s.session_key)
        else:
            s = SessionStore(session_key=item)
            data = dict(s.items())
            # load() calls create() on a bad signature or an expired cookie,
            # which marks the session modified; a good cookie leaves it clean.
            out.append({"valid": not s.modified, "data": data})
    json.dump(out, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
