"""Settings of the bridge project: a Django app that shares its database,
its SECRET_KEY and so its logins, sessions, flash messages and CSRF cookie
with the Go service beside it (../main.go).

Environment: BRIDGE_SECRET_KEY (the same value for both sides), BRIDGE_DB
(the SQLite file both open), BRIDGE_GO_URL (where a login lands).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# The Go service defaults to the same development key. Set your own in
# production, in both.
SECRET_KEY = os.environ.get(
    "BRIDGE_SECRET_KEY", "django-bridge-development-key-change-me-0123456789-abcdefghijkl"
)
DEBUG = os.environ.get("BRIDGE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
]
# Django's defaults: the db session backend (django_session), the
# fallback message storage (the "messages" cookie, then the session) and
# the csrftoken cookie. The Go side reads and writes all three.
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "bridge.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BRIDGE_DB", str(BASE_DIR.parent / "bridge.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True

GO_URL = os.environ.get("BRIDGE_GO_URL", "http://localhost:8001/")
