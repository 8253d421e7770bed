#!/usr/bin/python3
"""Django side of the cross-check of tether's signing package.

Run with an interpreter that can import Django (Debian's python3-django is
importable only by the system /usr/bin/python3):

    /usr/bin/python3 signing_vectors.py generate
        Print a JSON document of values signed by Django (Signer,
        TimestampSigner, dumps, set_signed_cookie and the db session
        encoding) for fixed keys, salts and payloads.

    /usr/bin/python3 signing_vectors.py verify < items.json
        Read {"items": [...]} (values produced elsewhere, same fields as the
        generated vectors plus an optional "max_age") and print, for each,
        whether Django accepts it and what it decodes to.

Django is configured in-process with SECRET_KEY below, and the clock of
django.core.signing is frozen at NOW so that every timestamp is "1r31eq".
The output is ASCII-only JSON on stdout.
"""

import json
import sys
import types

SECRET_KEY = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
NOW = 1700000000
SESSION_SALT = "django.contrib.sessions.SessionStore"


def setup():
    """Configure settings, start Django and freeze the signing clock."""
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        INSTALLED_APPS=["django.contrib.sessions"],
        SESSION_ENGINE="django.contrib.sessions.backends.db",
        DATABASES={},
        USE_TZ=True,
    )
    import django

    django.setup()
    from django.core import signing

    # django.core.signing reads the clock only through time.time(), both to
    # stamp values and to measure their age.
    signing.time = types.SimpleNamespace(time=lambda: float(NOW))


def key_bytes(item):
    """The signing key of an item: key_hex if given, else SECRET_KEY."""
    if item.get("key_hex"):
        return bytes.fromhex(item["key_hex"])
    return SECRET_KEY.encode()


def compact(obj):
    """json.dumps as django.core.signing.JSONSerializer writes it."""
    return json.dumps(obj, separators=(",", ":"))


def portable(obj):
    """Whether an encoder that sorts keys and has no floats writes the
    same JSON as Python for obj (the condition for byte-identical dumps)."""

    def no_floats(o):
        if isinstance(o, float):
            return False
        if isinstance(o, dict):
            return all(no_floats(v) for v in o.values())
        if isinstance(o, list):
            return all(no_floats(v) for v in o)
        return True

    sorted_form = json.dumps(obj, separators=(",", ":"), sort_keys=True)
    return no_floats(obj) and sorted_form == compact(obj)


def signer_vectors():
    from django.core import signing

    out = []
    cases = [
        # name, key (None: settings), sep, salt (None: default), algorithm, value
        ("default", None, ":", None, None, "hello"),
        ("empty value", None, ":", None, None, ""),
        ("value with separators", None, ":", None, None, "3098247:529:087:"),
        ("non-ASCII value", None, ":", None, None, "Zo\u00eb \u2603 \U0001F600"),
        ("custom salt", None, ":", "my.salt", None, "hello"),
        ("empty salt", None, ":", "", None, "hello"),
        ("sha1", None, ":", None, "sha1", "hello"),
        ("sha512", None, ":", None, "sha512", "hello"),
        ("binary key", b"\xe7", ":", None, None, "foo"),
        ("binary key sha1", b"\xe7", ":", None, "sha1", "foo"),
        ("slash separator", b"predictable-secret", "/", None, None, "foo"),
        ("star separator", b"predictable-secret", "*sep*", None, None, "foo"),
        ("comma separator", b"predictable-secret", ",", None, None, "foo"),
        ("salt sep sha1", b"secret", "/", "somesalt", "sha1", "xyz"),
    ]
    for kind, cls in (("signer", signing.Signer), ("timestamp", signing.TimestampSigner)):
        for name, key, sep, salt, alg, value in cases:
            signer = cls(key=key, sep=sep, salt=salt, algorithm=alg)
            out.append({
                "name": "%s/%s" % (kind, name),
                "kind": kind,
                "key_hex": (key or SECRET_KEY.encode()).hex(),
                "sep": sep,
                "salt": signer.salt,
                "salt_default": salt is None,
                "algorithm": alg or "",
                "value": value,
                "signed": signer.sign(value),
            })
    return out


def dumps_payloads():
    """Named payloads for dumps and sessions; dict keys are written in sorted
    order so that a Go map encodes them the same way."""
    return [
        ("worked example", {"a": 1}),
        ("range 30", list(range(30))),
        ("session example", {"cart": [1, 2, 3], "name": "Zo\u00eb"}),
        ("non-ASCII", ["Zo\u00eb", "\U0001F600", "\u2028", "\x7f", "\u65e5\u672c\u8a9e",
                       "a\tb\n\x00\x1f\b\f", "</script>&'\"\\", "/"]),
        ("literals", {"a": {"b": [True, False, None]}, "n": -12, "z": ""}),
        ("big int", [2 ** 53 - 1, -(2 ** 53 - 1)]),
        ("empty string", ""),
        ("empty containers", {"d": {}, "l": []}),
        ("floats", {"f": [1.5, 0.1, 1e-07, 1.0, 1e20, -0.0]}),
        ("large repetitive", {
            "items": [{"id": i, "label": "item"} for i in range(200)],
            "text": "lorem ipsum " * 200,
        }),
    ]


def dumps_vectors():
    from django.core import signing

    out = []
    for name, obj in dumps_payloads():
        for compress in (False, True):
            for salt in (None, "custom.salt"):
                kwargs = {"compress": compress}
                if salt is not None:
                    kwargs["salt"] = salt
                signed = signing.dumps(obj, **kwargs)
                out.append({
                    "name": "dumps/%s/compress=%s/salt=%s" % (name, compress, salt),
                    "kind": "dumps",
                    "key_hex": SECRET_KEY.encode().hex(),
                    "salt": salt if salt is not None else "django.core.signing",
                    "salt_default": salt is None,
                    "compress": compress,
                    "object": obj,
                    "json": compact(obj),
                    "portable_json": portable(obj),
                    "compressed": signed.startswith("."),
                    "signed": signed,
                })
    return out


def cookie_vectors():
    from django.http import HttpResponse

    out = []
    for cookie_name, salt, value in (
        ("color", "color", "blue"),
        ("color", "", "blue"),
        ("prefs", "v2", "dark:compact"),
        ("empty", "", ""),
    ):
        response = HttpResponse()
        response.set_signed_cookie(cookie_name, value, salt=salt)
        out.append({
            "name": "cookie/%s/%s" % (cookie_name, salt),
            "kind": "cookie",
            "cookie_name": cookie_name,
            "salt": salt,
            "value": value,
            "signed": response.cookies[cookie_name].value,
        })
    return out


def session_payloads():
    return [
        ("session example", {"cart": [1, 2, 3], "name": "Zo\u00eb"}),
        ("auth login", {
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": "0" * 32 + "f" * 32,
            "_auth_user_id": "1",
            "_session_expiry": 1209600,
            "history": ["/accounts/profile/", "/accounts/profile/", "/accounts/settings/"] * 5,
        }),
        ("empty", {}),
    ]


def session_vectors():
    from django.contrib.sessions.backends.db import SessionStore

    out = []
    for name, obj in session_payloads():
        signed = SessionStore().encode(obj)
        out.append({
            "name": "session/%s" % name,
            "kind": "session",
            "key_hex": SECRET_KEY.encode().hex(),
            "salt": SESSION_SALT,
            "compress": True,
            "object": obj,
            "json": compact(obj),
            "portable_json": portable(obj),
            "compressed": signed.startswith("."),
            "signed": signed,
        })
    return out


def generate():
    import django

    doc = {
        "django_version": django.get_version(),
        "secret_key": SECRET_KEY,
        "now": NOW,
        "vectors": signer_vectors() + dumps_vectors() + cookie_vectors() + session_vectors(),
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


def verify_one(item):
    """Return (value, None) when Django accepts item["signed"], else
    (None, exception)."""
    from django.core import signing
    from django.http import HttpRequest

    kind = item["kind"]
    signed = item["signed"]
    max_age = item.get("max_age")
    try:
        if kind in ("signer", "timestamp"):
            cls = signing.Signer if kind == "signer" else signing.TimestampSigner
            signer = cls(key=key_bytes(item), sep=item.get("sep") or ":",
                         salt=item.get("salt"), algorithm=item.get("algorithm") or None)
            if kind == "signer":
                return signer.unsign(signed), None
            return signer.unsign(signed, max_age=max_age), None
        if kind == "dumps":
            return signing.loads(signed, key=key_bytes(item), salt=item["salt"], max_age=max_age), None
        if kind == "cookie":
            request = HttpRequest()
            request.COOKIES[item["cookie_name"]] = signed
            return request.get_signed_cookie(item["cookie_name"], salt=item.get("salt") or "",
                                             max_age=max_age), None
        if kind == "session":
            from django.contrib.sessions.backends.db import SessionStore

            # SessionStore.decode hides every failure behind {}; loads with
            # the session salt tells acceptance apart.
            signing.loads(signed, salt=SESSION_SALT)
            return SessionStore().decode(signed), None
        raise ValueError("unknown kind %r" % kind)
    except Exception as exc:  # report every failure, whatever its class
        return None, exc


def verify():
    doc = json.loads(sys.stdin.buffer.read())
    results = []
    for item in doc["items"]:
        value, exc = verify_one(item)
        result = {"name": item["name"], "ok": exc is None}
        if exc is None:
            result["value"] = value
        else:
            result["error"] = type(exc).__name__
            result["message"] = str(exc)
        results.append(result)
    json.dump({"results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")


def main(argv):
    if len(argv) != 2 or argv[1] not in ("generate", "verify"):
        sys.stderr.write("usage: %s generate | verify < items.json\n" % argv[0])
        return 2
    setup()
    if argv[1] == "generate":
        generate()
    else:
        verify()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
