"""advocacy: supporters write personal emails to the people who hold power over an issue."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate

from advocacy import api
from advocacy import config
from advocacy import errors
from advocacy import logs
from advocacy import pipeline
from advocacy import public
from advocacy import schema
from advocacy import security
from advocacy.models import db

ROOT = Path(__file__).resolve().parent.parent


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

    logs.init_app(app)
    db.init_app(app)
    Migrate(app, db, directory=schema.MIGRATIONS, render_as_batch=True)
    pipeline.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    schema.upgrade(app)
    return app
