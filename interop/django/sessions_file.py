#!/usr/bin/python3
"""Django side of the file-backend check: Django's own
django.contrib.sessions.backends.file SessionStore on a directory
(SESSION_FILE_PATH) that the Go test's filestore shares.

    /usr/bin/python3 sessions_file.py DIR write < session.json
        Save a new session holding the JSON object on stdin; print its key.
    /usr/bin/python3 sessions_file.py DIR read KEY
        Print {"exists": bool, "data": {...}, "expiry_age": seconds}: whether
        Django loads a live session for KEY (an expired file is deleted by
        that load, as Django does), what it holds and its expiry age.
    /usr/bin/python3 sessions_file.py DIR clear
        Run clearsessions and print the session files left.

SECRET_KEY is the one the Go test uses. Output is JSON on stdout.
"""

import json
import os
import sys

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def main():
    directory, mode = sys.argv[1], sys.argv[2]
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions"],
        SESSION_ENGINE="django.contrib.sessions.backends.file",
        SESSION_FILE_PATH=directory,
        USE_TZ=True,
    )
    import django

    django.setup()
    from django.contrib.sessions.backends.file import SessionStore
    from django.core.management import call_command

    if mode == "write":
        s = SessionStore()
        s.update(json.load(sys.stdin))
        s.save()
        out = {"key": s.session_key}
    elif mode == "read":
        s = SessionStore(session_key=sys.argv[3])
        data = dict(s.items())
        # load() drops the key of a missing or expired file and gives a
        # new one in place of an unreadable file.
        out = {"exists": s.session_key == sys.argv[3], "data": data, "expiry_age": s.get_expiry_age()}
    elif mode == "clear":
        call_command("clearsessions")
        out = {"left": sorted(n for n in os.listdir(directory) if n.startswith("sessionid"))}
    else:
        sys.exit("unknown mode " + mode)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
