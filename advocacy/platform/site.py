"""Who runs this site, from settings: the name in the header, an optional logo, a contact
address and the organisation's own privacy policy. Supporters decide whether to trust a page
with their name and address by who it says is asking."""

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import has_request_context
from flask import request
from flask import send_from_directory
from flask import url_for
from werkzeug.routing import Map

bp = Blueprint("site", __name__)
LOGO_TYPES = {".png", ".svg", ".jpg", ".jpeg", ".webp"}
# Accent colours a partner may pick for an embed (the studio's sharing page offers them); anything
# else is ignored, so no CSS gets in.
THEMES = ("blue", "green", "purple", "red", "black")


@dataclass(frozen=True)
class Site:
    name: str
    logo_url: str | None
    contact_email: str | None
    privacy_url: str | None
    lookup_host: str  # the postcodes.io host that supporters' postcodes are sent to


def _logo_file() -> Path | None:
    """``SITE_LOGO`` naming a file in the instance folder (not a path out of it)."""
    name = current_app.config.get("SITE_LOGO") or ""
    if not name or name.startswith("/") or urlsplit(name).scheme:
        return None
    path = Path(current_app.instance_path) / os.path.basename(name)
    return path if path.suffix.lower() in LOGO_TYPES and path.is_file() else None


def info() -> Site:
    config = current_app.config
    logo = config.get("SITE_LOGO") or None
    if logo and not logo.startswith("/"):  # a file in the instance folder, or nothing
        logo = url_for("site.logo") if _logo_file() else None
    return Site(
        name=config.get("SITE_NAME") or "Campaign letters",
        logo_url=logo,
        contact_email=config.get("SITE_CONTACT_EMAIL") or None,
        privacy_url=config.get("SITE_PRIVACY_URL") or None,
        lookup_host=urlsplit(config["POSTCODES_IO_URL"]).hostname or config["POSTCODES_IO_URL"],
    )


@bp.get("/site-logo")
def logo():
    path = _logo_file()
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, max_age=86400)


@bp.app_context_processor
def site_context() -> dict:
    # ``site_url`` bound to this app and mount point once a page: each of the page's four
    # fixed links is then a call to the kept ones, with no lookup of the app or request.
    if not has_request_context():
        return {"site": info()}
    return {
        "site": info(),
        "site_url": functools.partial(_site_url, current_app.url_map, request.script_root),
    }


@bp.app_template_global("site_url")
def site_url(endpoint: str, filename: str | None = None) -> str:
    """``url_for`` for the links on every page (style, script, home, privacy), which are the
    same for every request to one app at one mount point: built once each, not on every page."""
    return _site_url(current_app.url_map, request.script_root, endpoint, filename)


@functools.lru_cache(maxsize=64)
def _site_url(_routes: Map, _script_root: str, endpoint: str, filename: str | None = None) -> str:
    return url_for(endpoint, filename=filename) if filename else url_for(endpoint)
