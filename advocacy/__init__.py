"""advocacy: supporters write personal emails to the people who hold power over an issue."""

import os
from pathlib import Path
from typing import Any

import orjson
from flask import Flask
from flask import Response
from flask.json.provider import DefaultJSONProvider
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from advocacy.api import v1
from advocacy.places import pipeline
from advocacy.platform import config
from advocacy.platform import errors
from advocacy.platform import languages
from advocacy.platform import limits
from advocacy.platform import logs
from advocacy.platform import request_body
from advocacy.platform import schema
from advocacy.platform import security
from advocacy.platform import site
from advocacy.platform import tally
from advocacy.platform import translated_templates
from advocacy.platform.models import IdConverter
from advocacy.platform.models import db
from advocacy.studio import auth
from advocacy.studio import campaign_files  # noqa: F401 — its routes are on campaign_pages.bp
from advocacy.studio import campaign_pages
from advocacy.studio import directory_admin
from advocacy.studio import preview  # noqa: F401 — its routes are on campaign_pages.bp
from advocacy.studio import results
from advocacy.studio import staff
from advocacy.studio import translation_pages  # noqa: F401 — its routes are on campaign_pages.bp
from advocacy.supporters import after_sending  # noqa: F401 — its routes are on public.bp
from advocacy.supporters import letters_page  # noqa: F401 — its routes are on public.bp
from advocacy.supporters import pages
from advocacy.supporters import public

ROOT = Path(__file__).resolve().parent.parent
COMPACT = (",", ":")


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, written by orjson.

    The letters API answers with every send link of every letter (tens of kilobytes of
    percent-encoded text): the standard library took 33 µs to write one answer, orjson 2 µs.
    It reads back as the same values as Flask's compact, sorted JSON; dates, dataclasses and
    anything else orjson does not know natively go through Flask's ``default``. The text
    differs in ways no client of ours can tell: non-ASCII is UTF-8 rather than escapes
    (``ensure_ascii`` is not honoured), integer keys sort as text, and NaN is ``null`` (Flask
    wrote invalid ``NaN``). Other options (``indent`` in debug) and numbers orjson cannot hold
    go to the standard library, which also reads requests. Nesting too deep to parse (``[`` ×
    30,000) is an invalid body, never a 500.
    """

    OPTIONS = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if (
            kwargs.get("separators", COMPACT) == COMPACT
            and kwargs.get("sort_keys", True)
            and not kwargs.keys() - {"separators", "sort_keys"}
        ):
            written = self._orjson(obj)
            if written is not None:
                return written.decode()
        return super().dumps(obj, **kwargs)

    def _orjson(self, obj: Any, option: int = 0) -> bytes | None:
        """``obj`` written by orjson, or None where only the standard library can write it
        (an integer over 64 bits, say)."""
        try:
            return orjson.dumps(obj, default=self.default, option=self.OPTIONS | option)
        except orjson.JSONEncodeError:
            return None

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Flask's, with orjson's bytes (and the newline Flask adds) given to the response as
        they are. Flask's way copies an answer three times (bytes to text, text with the
        newline, text back to bytes): tens of kilobytes for a letters answer, on every one.
        (``self._app`` is where Flask's documentation says a provider finds its app.)"""
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        obj = args[0] if len(args) == 1 else (args or kwargs or None)  # as Flask reads them
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented, as Flask's
        body = self._orjson(obj, orjson.OPT_APPEND_NEWLINE)
        if body is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        # The standard library: request bodies are small, and orjson would read an integer
        # over 64 bits as a float.
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class Advocacy(Flask):
    """Flask, deciding once per hook or view whether it is async rather than on every request.

    Flask asks ``inspect`` about each of the nine hooks and the view that run on every request
    (``Flask.ensure_sync``, documented as the method to override). Measured on 2026-12-05, this
    is about 5 µs of a 248 µs postcode step: small, but the step sits just under its floor.
    Its templates are compiled once per language, translated (``translated_templates``).
    """

    jinja_environment = translated_templates.Environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        try:
            return self._synced[func]
        except KeyError:
            if len(self._synced) >= 512:  # functions made per request must not pile up
                self._synced.clear()
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # a callable that can't be a key
            return super().ensure_sync(func)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, services, blueprints, then bring the schema up."""
    app = Advocacy(
        __name__,
        # Deployments may keep the instance folder (SQLite file, secret key) outside the checkout.
        instance_path=os.environ.get("ADVOCACY_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.json = JSONProvider(app)
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ADVOCACY")
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.database_uri(
        app.config["DATABASE_URL"], app.instance_path
    )
    config.private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False  # the debug server speaks plain http
    # Innermost, so pages served from the cache never pay for it.
    app.wsgi_app = request_body.ReadableBodies(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"] or 0)
    pages.init_app(app)  # before ProxyFix, so it sees the request as the app does
    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=int(app.config["PROXY_FIX_X_FOR"]),
            x_proto=int(app.config["PROXY_FIX_X_PROTO"]),
        )

    logs.init_app(app)
    db.init_app(app)
    Migrate(app, db, directory=schema.MIGRATIONS, render_as_batch=True)
    pipeline.init_app(app)
    tally.init_app(app)
    errors.init_app(app)
    languages.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    auth.init_app(app)
    # Supporters have no session, so there is nothing for a forged request to ride on; staff
    # forms (everything under /admin) all carry a CSRF token.
    auth.csrf.exempt(public.bp)
    auth.csrf.exempt(v1.bp)
    blueprints = (
        public.bp,
        site.bp,
        v1.bp,
        auth.bp,
        staff.bp,
        campaign_pages.bp,
        directory_admin.bp,
        results.bp,
    )
    app.url_map.converters["id"] = IdConverter  # before the blueprints' rules are added
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    schema.upgrade(app)
    return app
