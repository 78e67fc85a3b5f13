"""Settings: defaults here, overridden by ``ADVOCACY_*`` environment variables or a test mapping.

No secrets live here: the secret key is generated on first run and kept in the instance folder.
"""

import contextlib
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

DEFAULTS = {
    "POSTCODES_IO_URL": "https://api.postcodes.io",
    "POSTCODES_TIMEOUT": 3.0,
    "POSTCODES_CACHE_SIZE": 20_000,
    "POSTCODES_CACHE_TTL": 6 * 3600,
    # After this many failed lookups in a row, postcodes.io is left alone for the cool-down
    # (seconds) and the pages offer the lists at once, rather than after a timeout each.
    "POSTCODES_BREAKER_FAILURES": 5,
    "POSTCODES_BREAKER_COOLDOWN": 30.0,
    # An answer slower than this (seconds) counts as a failure for the breaker: under a surge,
    # a postcodes.io that takes seconds stalls supporters as surely as one that is down.
    "POSTCODES_SLOW_SECONDS": 1.0,
    # Lookups out to postcodes.io at once, per worker (a bulkhead): a supporter over it gets
    # the lists at once rather than waiting for a turn. Keep it under the worker's threads
    # (gunicorn.conf.py), so threads are always left for the pages that need no lookup.
    "POSTCODES_MAX_IN_FLIGHT": 24,
    "DATABASE_URL": None,
    "SEED_EXAMPLE_CAMPAIGN": True,
    # How often (seconds) a worker compares its parsed campaigns and directory corrections
    # with the database; its own saves show at once, other workers' within this time.
    "CACHE_CHECK_SECONDS": 2.0,
    # Each worker adds up counts in memory and writes them this often (seconds), and at exit.
    "TALLY_FLUSH_SECONDS": 5.0,
    # How long (seconds) a worker keeps a campaign's public "N letters written so far".
    "PUBLIC_COUNTER_SECONDS": 60.0,
    # Distinct partner labels counted per campaign and day; more are counted as "other".
    "MAX_REFS_PER_DAY": 200,
    # Partner labels one client address may add to a campaign's counts a day (labels already
    # counted that day cost nothing); past it, that client's letters are counted as "other".
    "NEW_REF_RATE_LIMIT": "10 per day",
    # Letters are short; anything bigger is a mistake or an attack.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Studio forms and imports (/admin) carry whole campaigns: room for studio.MAX_IMPORT.
    "STUDIO_MAX_CONTENT_LENGTH": 512 * 1024,
    # Host names this site answers to, e.g. ["campaigns.example.org"] (JSON in the environment).
    # When set, any other Host header is refused (400), so it never reaches a link we build.
    "TRUSTED_HOSTS": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Only staff have a session. Its cookie is sent only to /admin, never with supporter pages.
    "SESSION_COOKIE_SECURE": True,  # turned off in debug mode; see create_app
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_PATH": "/admin",
    "SESSION_COOKIE_NAME": "advocacy_staff",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    # Checked where the session is, under /admin (auth.init_app), not before every request.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute;30 per hour",
    # Failed sign-ins to one account, counted only from addresses that already failed it (auth.py).
    "LOGIN_ACCOUNT_WIDE_RATE_LIMIT": "30 per hour;100 per day",
    # A browser that signed in before is spared that limit (auth.py), until its own failures
    # reach this; its device cookie is good for this many days after that sign-in.
    "LOGIN_DEVICE_RATE_LIMIT": "10 per hour;30 per day",
    "LOGIN_DEVICE_COOKIE_DAYS": 90,
    # Wrong current passwords on /admin/account, per signed-in account.
    "ACCOUNT_PASSWORD_RATE_LIMIT": "5 per minute;30 per hour",
    # The editor's live Markdown preview, per staff account (studio.js waits for a pause).
    "MARKDOWN_PREVIEW_RATE_LIMIT": "120 per minute",
    # Hours an unused one-time password from an admin keeps working.
    "ONE_TIME_PASSWORD_HOURS": 24,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Per client address. A letters request may look a postcode up, so it counts once here.
    "API_LOOKUP_RATE_LIMIT": "60 per minute",
    "API_LETTERS_RATE_LIMIT": "30 per minute",
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0 = none).
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "MEMBERS_API_URL": "https://members-api.parliament.uk",
    # Who runs this site, shown on every supporter page (see advocacy/platform/site.py).
    "SITE_NAME": "Campaign letters",
    "SITE_LOGO": None,  # a file name in the instance folder, or a path on this site ("/…")
    "SITE_CONTACT_EMAIL": None,
    "SITE_PRIVACY_URL": None,  # the organisation's own privacy policy, linked from /privacy
    # Languages offered to supporters, comma-separated ("en,cy"); English is always one. Welsh
    # joins the default once its catalogue covers every page (see advocacy/platform/languages.py).
    "LANGUAGES": "en",
}


def database_uri(url: str | None, instance_path: str) -> str:
    """SQLAlchemy URI for ``DATABASE_URL``; an SQLite file in the instance folder by default."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "advocacy.sqlite")
    # Heroku-style URLs, and psycopg 3 rather than the older psycopg2 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe_database(uri: str) -> str:
    """The database ``uri`` names, for people, its password hidden: "the SQLite file …" or
    the URL. Commands that write say where, because a shell's settings may not be the server's."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database or ':memory:'}"
    return url.render_as_string(hide_password=True)


def private_sqlite_file(uri: str) -> None:
    """Create the SQLite file readable by its owner only (0600), like the secret key: it holds
    the staff accounts. SQLite gives its -wal and -shm files the same permissions."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or uri == prefix + ":memory:":
        return
    path = Path(uri[len(prefix) :].split("?", 1)[0])
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def secret_key(instance_path: str) -> str:
    """The instance's secret key, created once; several workers starting at once agree on it.

    The key is written to a private temporary file and hard-linked into place, so no worker can
    ever read a half-written key, and the first link wins.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
