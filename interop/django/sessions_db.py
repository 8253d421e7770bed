#!/usr/bin/python3
"""Django side of the shared-login check: a real Django app's session store
(the db backend, Django's own ORM and migration) on a SQLite file that the Go
test opens too.

    /usr/bin/python3 sessions_db.py migrate DB
        Create Django's django_session table in DB (manage.py migrate).
    /usr/bin/python3 sessions_db.py write DB < session.json
        Save a new session holding the JSON object on stdin and print its key.
    /usr/bin/python3 sessions_db.py read DB KEY
        Print {"exists": bool, "data": {...}, "expiry_age": seconds} for KEY.
    /usr/bin/python3 sessions_db.py clear DB
        Run clearsessions (delete expired rows) and print the rows left.

SECRET_KEY is the one the Go test uses; USE_TZ is on (Django's default for
new projects). Output is JSON on stdout.
"""

import json
import sys

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def setup(db):
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions"],
        SESSION_ENGINE="django.contrib.sessions.backends.db",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db}},
        USE_TZ=True,
    )
    import django

    django.setup()


def main():
    mode, db = sys.argv[1], sys.argv[2]
    setup(db)
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command

    if mode == "migrate":
        call_command("migrate", "sessions", verbosity=0)
        print(json.dumps({"ok": True}))
    elif mode == "write":
        s = SessionStore()
        for k, v in json.load(sys.stdin).items():
            s[k] = v
        s.save()
        print(json.dumps({"key": s.session_key}))
    elif mode == "read":
        s = SessionStore(session_key=sys.argv[3])
        data = dict(s.items())  # loads; an unknown or expired key gives {}
        exists = Session.objects.filter(session_key=sys.argv[3]).exists()
        print(json.dumps({"exists": exists, "data": data, "expiry_age": s.get_expiry_age()}))
    elif mode == "clear":
        call_command("clearsessions")
        print(json.dumps({"left": Session.objects.count()}))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
