"""Pages kept in memory (advocacy/supporters/pages.py): served without Flask between checks, shown
anew at once after a save in the same worker and within CACHE_CHECK_SECONDS in others, and never a
response that holds what a supporter typed or where they live."""

import dataclasses

import pytest
from app_config import settings_for
from fake_clock import FakeClock
from flask import make_response
from flask import session
from flask import template_rendered

from advocacy import create_app
from advocacy.places import overrides
from advocacy.platform import limits
from advocacy.platform import models
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.supporters import pages

SLUG = "stop-facial-recognition"
SHARED_PATHS = (
    f"/c/{SLUG}",
    f"/c/{SLUG}?manual=1",
    f"/c/{SLUG}?ref=partner-1",
    f"/embed/{SLUG}?theme=green",
    "/",
)
CHECK_SECONDS = 60
MP_CODE, MP_NAME = "E14001085", "Neil Coyle"  # SE1 2DL
POSTCODE_STEP = f"/c/{SLUG}?postcode=SE1+2DL"


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock(1000.0)
    monkeypatch.setattr(models, "clock", fake)
    return fake


@pytest.fixture
def workers(tmp_path, clock):
    """Two workers on one database that compare with it every 60 s."""
    settings = settings_for(tmp_path / "shared.sqlite", CACHE_CHECK_SECONDS=CHECK_SECONDS)
    return create_app(settings), create_app(settings)


@pytest.fixture
def worker(workers):
    return workers[0]


def get(app, path: str, **kwargs):
    return app.test_client().get(path, **kwargs)


def text(app, path: str) -> str:
    response = get(app, path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def retitle(app, title: str) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        new = dataclasses.replace(row.to_campaign(), title=title)
        assert store.save(row, new, "editor@example.org", row.version)


def rename_mp(app, name: str) -> None:
    with app.app_context():
        overrides.save("mp", MP_CODE, {"name": name}, "editor@example.org")


def renders(app) -> list[str]:
    """The names of the templates the app renders from now on."""
    seen: list[str] = []
    template_rendered.connect(
        lambda sender, template, context: seen.append(template.name), app, weak=False
    )
    return seen


# --- Pages the same for everyone ---------------------------------------------------------------


@pytest.mark.parametrize("path", SHARED_PATHS)
def test_a_shared_page_is_answered_from_memory_without_flask(worker, path):
    first = get(worker, path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == pages.CACHE_CONTROL
    assert first.headers["ETag"]
    assert "Vary" not in first.headers  # no Vary: Cookie from Flask-Login any more

    def broken(*args, **kwargs):
        raise AssertionError("the view ran")

    for endpoint in ("public.campaign", "public.embed_campaign", "public.index"):
        worker.view_functions[endpoint] = broken
    again = get(worker, path)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert int(again.headers["Content-Length"]) == len(first.get_data())


def test_a_page_asked_for_again_with_its_etag_is_a_304(worker):
    etag = get(worker, f"/c/{SLUG}").headers["ETag"]
    for _ in range(2):  # from the view, then from memory
        response = get(worker, f"/c/{SLUG}", headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag


def test_a_head_request_never_leaves_an_empty_page_behind(worker):
    head = worker.test_client().head(f"/c/{SLUG}")
    assert head.status_code == 200 and head.get_data() == b""
    assert "Stop police live facial recognition" in text(worker, f"/c/{SLUG}")


def test_a_save_in_this_worker_shows_at_once(worker):
    assert "<h1>Stop police live facial recognition</h1>" in text(worker, f"/c/{SLUG}")
    retitle(worker, "A new title")
    assert "<h1>A new title</h1>" in text(worker, f"/c/{SLUG}")


@pytest.mark.parametrize("path", SHARED_PATHS)
def test_a_save_in_another_worker_shows_within_the_check_time(workers, clock, path):
    worker, other = workers
    assert "Stop police live facial recognition" in text(worker, path)
    retitle(other, "A new title")
    clock.now += CHECK_SECONDS - 1
    assert "Stop police live facial recognition" in text(worker, path)  # still from memory
    clock.now += 1
    assert "A new title" in text(worker, path)


def test_a_directory_correction_shows_on_the_lists_at_once_here_and_in_time_elsewhere(
    workers, clock
):
    worker, other = workers
    lists = f"/c/{SLUG}?manual=1"
    assert "Bermondsey and Old Southwark" in text(worker, lists)
    assert "Bermondsey and Old Southwark" in text(other, lists)
    # Constituency names are bundled; a force's name is what staff correct, and the lists show.
    with worker.app_context():
        overrides.save("police_force", "E23000001", {"name": "Corrected Police"}, "e")
    assert "Corrected Police" in text(worker, lists)  # the saving worker: at once
    clock.now += CHECK_SECONDS - 1
    assert "Corrected Police" not in text(other, lists)
    clock.now += 1
    assert "Corrected Police" in text(other, lists)


def test_a_page_that_sets_a_cookie_or_varies_is_never_kept(tmp_path, clock):
    app = create_app(settings_for(tmp_path / "c.sqlite", CACHE_CHECK_SECONDS=CHECK_SECONDS))
    calls = []

    def cookie():
        calls.append(1)
        response = pages.shareable(make_response("same for all?"))
        response.set_cookie("session", "someone's")
        return response

    def varies():
        calls.append(1)
        response = pages.shareable(make_response("same for all?"))
        # The language's Vary is the one a kept page may carry (the key holds the language).
        response.vary.update(("Accept-Language", "User-Agent"))
        return response

    app.add_url_rule("/cookie", view_func=cookie)
    app.add_url_rule("/varies", view_func=varies)
    for path in ("/cookie", "/cookie", "/varies", "/varies"):
        assert get(app, path).status_code == 200
    assert len(calls) == 4  # every request reached the view


# --- Pages that hold a supporter's place or words ----------------------------------------------


PRIVATE = [
    ("get", POSTCODE_STEP, None),
    ("get", f"/c/{SLUG}?postcode=SE1+2DL&change=1", None),
    ("get", f"/c/{SLUG}?constituency={MP_CODE}&pfa=E23000001", None),
    ("get", f"/c/{SLUG}/thanks?r=mp:{MP_CODE}", None),
    ("get", f"/c/{SLUG}/reply?r=mp:{MP_CODE}", None),
    ("get", "/api/v1/postcodes/SE1%202DL", None),
    (
        "post",
        f"/c/{SLUG}/letters",
        {
            "postcode": "SE1 2DL",
            "name": "Sam Supporter",
            "address": "1 High Street",
            "talking_points": ["what-is-lfr", "accuracy"],
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "form"), PRIVATE)
def test_nothing_holding_supporter_input_is_kept_or_cacheable(
    worker, postcodes_io, method, path, form
):
    client = worker.test_client()
    for _ in range(2):
        response = getattr(client, method)(path, data=form)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers
    kept = worker.wsgi_app.pages
    assert len(kept) == 0


def test_the_postcode_step_is_rendered_once_per_place_and_never_shared(worker, postcodes_io):
    seen = renders(worker)
    first = get(worker, POSTCODE_STEP)
    again = get(worker, POSTCODE_STEP)
    assert seen == ["supporters/choose.html"]  # the second was a dictionary hit
    assert again.get_data() == first.get_data()
    assert again.headers["Cache-Control"] == "no-store"
    assert MP_NAME in again.get_data(as_text=True)
    ref = get(worker, POSTCODE_STEP + "&ref=partner-1").get_data(as_text=True)
    assert "partner-1" in ref and seen == ["supporters/choose.html"] * 2  # another page, its own


def test_a_step_naming_a_place_goes_straight_to_the_app(worker, postcodes_io, monkeypatch):
    """A page whose address holds a postcode (or chosen areas) is never kept, so the page
    cache doesn't look for one: the postcode step costs it nothing. The page itself is kept."""
    looked = []
    lookup = worker.wsgi_app.pages.get
    monkeypatch.setattr(worker.wsgi_app.pages, "get", lambda key: looked.append(key) or lookup(key))
    for path in (POSTCODE_STEP, f"/c/{SLUG}?constituency=E14001172&pfa=E23000001"):
        assert get(worker, path).status_code == 200
    assert looked == []
    assert get(worker, f"/c/{SLUG}").status_code == 200 and len(looked) == 1  # a shared page


def test_the_postcode_step_shows_a_save_at_once_here_and_in_time_elsewhere(
    workers, clock, postcodes_io
):
    worker, other = workers
    assert MP_NAME in text(worker, POSTCODE_STEP)
    assert MP_NAME in text(other, POSTCODE_STEP)
    rename_mp(worker, "Corrected Name")
    assert "Corrected Name" in text(worker, POSTCODE_STEP)
    clock.now += CHECK_SECONDS - 1
    assert "Corrected Name" not in text(other, POSTCODE_STEP)
    clock.now += 1
    assert "Corrected Name" in text(other, POSTCODE_STEP)
    retitle(other, "A new title")
    assert "A new title" in text(other, POSTCODE_STEP)


def test_with_no_check_time_nothing_is_kept(app, client, postcodes_io):
    """CACHE_CHECK_SECONDS = 0: every request asks the database, so nothing may be kept."""
    seen = renders(app)
    for _ in range(2):
        assert client.get(f"/c/{SLUG}").status_code == 200
        assert client.get(POSTCODE_STEP).status_code == 200
    assert seen.count("supporters/campaign.html") == 2
    assert seen.count("supporters/choose.html") == 2


# --- Only the hooks that apply run -------------------------------------------------------------


def test_rate_limits_are_checked_by_their_views_alone_and_still_apply(app, limited, postcodes_io):
    assert limits.limiter._check_request_limit not in app.before_request_funcs[None]
    statuses = [limited.get(POSTCODE_STEP).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert limited.get(f"/c/{SLUG}").status_code == 200  # no postcode: no lookup, no limit


def test_supporter_pages_never_read_the_session(client):
    response = client.get(f"/c/{SLUG}")
    assert "Vary" not in response.headers
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("path", "has_one"), [(f"/c/{SLUG}", False), ("/admin/login", True)])
def test_only_the_studio_opens_a_session(app, path, has_one):
    with app.test_request_context(path):
        app.preprocess_request()
        assert app.session_interface.is_null_session(session) is not has_one
