"""advocacy: supporters write personal emails to the people who hold power over an issue."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from advocacy import api
from advocacy import auth
from advocacy import config
from advocacy import directory_admin
from advocacy import errors
from advocacy import limits
from advocacy import logs
from advocacy import pages
from advocacy import pipeline
from advocacy import public
from advocacy import results
from advocacy import schema
from advocacy import security
from advocacy import site
from advocacy import staff
from advocacy import studio
from advocacy import tally
from advocacy.models import IdConverter
from advocacy.models import db

ROOT = Path(__file__).resolve().parent.parent


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with nesting too deep to parse (``[`` × 30,000) an invalid body, not a
    ``RecursionError`` and a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, services, blueprints, then bring the schema up."""
    app = Flask(
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
    security.init_app(app)
    limits.init_app(app)
    auth.init_app(app)
    # Supporters have no session, so there is nothing for a forged request to ride on; staff
    # forms (everything under /admin) all carry a CSRF token.
    auth.csrf.exempt(public.bp)
    auth.csrf.exempt(api.bp)
    blueprints = (
        public.bp,
        site.bp,
        api.bp,
        auth.bp,
        staff.bp,
        studio.bp,
        directory_admin.bp,
        results.bp,
    )
    app.url_map.converters["id"] = IdConverter  # before the blueprints' rules are added
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    schema.upgrade(app)
    return app
