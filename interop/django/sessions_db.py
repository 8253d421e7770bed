#!/usr/bin/python3
"""Django side of the shared-login checks: a real Django app's session store
(the db backend, Django's own ORM and migrations), its auth and its CSRF
middleware with CSRF_USE_SESSIONS, on a database that the Go test opens too.

DB is a SQLite file path, or a JSON object that is Django's
DATABASES["default"] (PostgreSQL through psycopg2, MySQL/MariaDB through
MySQLdb).

    /usr/bin/python3 sessions_db.py migrate DB
        Create Django's tables in DB (manage.py migrate: contenttypes, auth,
        sessions).
    /usr/bin/python3 sessions_db.py write DB < session.json
        Save a new session holding the JSON object on stdin and print its key.
    /usr/bin/python3 sessions_db.py read DB KEY
        Print {"exists": bool, "data": {...}, "expiry_age": seconds} for KEY.
    /usr/bin/python3 sessions_db.py corrupt DB KEY HOW
        Spoil KEY's row: HOW is "signature" (one character of the signature
        changed) or "garbage" (text that is no signed value at all).
    /usr/bin/python3 sessions_db.py clear DB
        Run clearsessions (delete expired rows) and print the rows left.
    /usr/bin/python3 sessions_db.py adduser DB USERNAME PASSWORD
        create_user; print {"id": "PK", "password": "<the stored hash>"}.
    /usr/bin/python3 sessions_db.py setpassword DB USERNAME PASSWORD
        set_password and save; print the new stored hash.
    /usr/bin/python3 sessions_db.py login DB USERNAME PASSWORD [KEY]
        authenticate and auth.login on a request whose session is KEY (or a
        new one) and save the session, as SessionMiddleware does. Print
        {"key", "old_key", "csrf", "data"}.
    /usr/bin/python3 sessions_db.py whoami DB KEY
        Print {"user": "PK" or null, "exists": bool}: get_user() of a request
        with session KEY, as AuthenticationMiddleware does (a stale auth
        hash flushes the session), then whether the row still exists.
    /usr/bin/python3 sessions_db.py csrftoken DB KEY
        get_token() on a request with session KEY, then CsrfViewMiddleware's
        process_response (CSRF_USE_SESSIONS=True keeps the secret in the
        session) and the session save. Print {"token", "session_value"}.
    /usr/bin/python3 sessions_db.py csrfcheck DB KEY TOKEN
        Print {"verdict": "accepted" | "rejected: REASON"}: Django's
        CsrfViewMiddleware on a POST with session KEY and TOKEN in the
        X-CSRFToken header.

SECRET_KEY is the one the Go test uses; USE_TZ is on (Django's default for
new projects). Output is JSON on stdout.
"""

import json
import sys

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def database(db):
    if db.startswith("{"):
        return json.loads(db)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": db}


def setup(db):
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
        ],
        SESSION_ENGINE="django.contrib.sessions.backends.db",
        DATABASES={"default": database(db)},
        USE_TZ=True,
        CSRF_USE_SESSIONS=True,
        ALLOWED_HOSTS=["testserver"],
        # A fast hasher: the tests create users, not protect them.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    import django

    django.setup()


def session_request(key, method="get", **extra):
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    factory = RequestFactory()
    request = getattr(factory, method)("/", **extra)
    request.session = SessionStore(session_key=key)
    return request


def main():
    mode, db = sys.argv[1], sys.argv[2]
    setup(db)
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command

    if mode == "migrate":
        call_command("migrate", verbosity=0)
        out = {"ok": True}
    elif mode == "write":
        s = SessionStore()
        for k, v in json.load(sys.stdin).items():
            s[k] = v
        s.save()
        out = {"key": s.session_key}
    elif mode == "read":
        s = SessionStore(session_key=sys.argv[3])
        data = dict(s.items())  # loads; an unknown or expired key gives {}
        exists = Session.objects.filter(session_key=sys.argv[3]).exists()
        out = {"exists": exists, "data": data, "expiry_age": s.get_expiry_age()}
    elif mode == "corrupt":
        row = Session.objects.get(session_key=sys.argv[3])
        if sys.argv[4] == "signature":
            data = row.session_data
            last = "A" if data[-1] != "A" else "B"
            row.session_data = data[:-1] + last
        else:
            row.session_data = "not a signed value \x7f {"
        row.save()
        out = {"data": row.session_data}
    elif mode == "clear":
        call_command("clearsessions")
        out = {"left": Session.objects.count()}
    elif mode == "adduser":
        from django.contrib.auth.models import User

        u = User.objects.create_user(sys.argv[3], password=sys.argv[4])
        out = {"id": str(u.pk), "password": u.password}
    elif mode == "setpassword":
        from django.contrib.auth.models import User

        u = User.objects.get(username=sys.argv[3])
        u.set_password(sys.argv[4])
        u.save()
        out = {"password": u.password}
    elif mode == "login":
        from django.contrib import auth

        key = sys.argv[5] if len(sys.argv) > 5 else None
        request = session_request(key)
        user = auth.authenticate(request, username=sys.argv[3], password=sys.argv[4])
        if user is None:
            sys.exit("authenticate refused " + sys.argv[3])
        auth.login(request, user)
        request.session.save()
        out = {
            "key": request.session.session_key,
            "old_key": key,
            "csrf": request.META.get("CSRF_COOKIE"),
            "data": dict(request.session.items()),
        }
    elif mode == "whoami":
        from django.contrib.auth import get_user

        request = session_request(sys.argv[3])
        user = get_user(request)
        exists = Session.objects.filter(session_key=sys.argv[3]).exists()
        out = {"user": str(user.pk) if user.is_authenticated else None, "exists": exists}
    elif mode == "csrftoken":
        from django.http import HttpResponse
        from django.middleware.csrf import CsrfViewMiddleware, get_token

        request = session_request(sys.argv[3])
        middleware = CsrfViewMiddleware(lambda r: HttpResponse("ok"))
        middleware.process_request(request)
        token = get_token(request)
        middleware.process_response(request, HttpResponse("ok"))
        request.session.save()
        out = {"token": token, "session_value": request.session.get("_csrftoken")}
    elif mode == "csrfcheck":
        from django.http import HttpResponse
        from django.middleware.csrf import CsrfViewMiddleware

        def view(request):
            return HttpResponse("ok")

        class Recording(CsrfViewMiddleware):
            reason = ""

            def _reject(self, request, reason):
                self.reason = reason
                return super()._reject(request, reason)

        request = session_request(sys.argv[3], "post", data={}, HTTP_X_CSRFTOKEN=sys.argv[4])
        middleware = Recording(view)
        middleware.process_request(request)
        response = middleware.process_view(request, view, (), {})
        out = {"verdict": "accepted" if response is None else "rejected: " + middleware.reason}
    else:
        sys.exit("unknown mode " + mode)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
