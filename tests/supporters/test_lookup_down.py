"""The page a supporter gets while postcodes.io is down or busy: the lists, with their postcode
still in the box. Under a surge it is most of what the site serves, so it is kept rendered once
with a stand-in for the postcode (public._lookup_down); it must be exactly the page a full render
gives, for every supporter, and keep nothing of theirs."""

from html import unescape

import pytest
from app_config import settings_for
from flask import template_rendered

from advocacy import create_app
from advocacy.places import pipeline
from advocacy.supporters import pages
from advocacy.supporters import public

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
# Each parses as a valid postcode (quotes and invisible characters are dropped as slips), but
# what the supporter typed goes back in the box as typed, escaped.
TYPED = [
    "SE1 2DL",
    "se1-2dl",
    'SE1 2DL"',
    "'sw1a 2dd'",
    "M1\u200b1AD",
    "  BR8 7RE  ",
    public.SLOT,  # the stand-in itself, typed by a supporter
]


@pytest.fixture
def app(tmp_path):
    app = create_app(settings_for(tmp_path / "down.sqlite", CACHE_CHECK_SECONDS=60))
    breaker = app.extensions[pipeline.EXTENSION].breaker
    for _ in range(breaker.failures):  # open: no lookups, as when postcodes.io is down
        breaker.record(ok=False)
    return app


def full_render(app, query: dict) -> str:
    with app.test_request_context(PAGE, query_string=query):
        campaign = public.campaign_for(SLUG)
        notice = public.about_lists(public.LOOKUP_DOWN, campaign)
        page, _ = public.start_page(campaign, query["postcode"], notice=notice, manual=True)
        return page


@pytest.mark.parametrize("query_extra", [{}, {"ref": "partner-a"}], ids=["plain", "with ref"])
def test_the_kept_page_is_the_full_page_for_every_supporter(app, query_extra) -> None:
    client = app.test_client()
    for typed in TYPED:
        query = {"postcode": typed, **query_extra}
        response = client.get(PAGE, query_string=query)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == full_render(app, query), typed
        page = unescape(response.get_data(as_text=True))
        assert "We couldn't look up your postcode just now." in page
        assert f'value="{typed}"' in page
        assert 'id="constituency"' in page and 'id="pfa"' in page


def test_it_is_rendered_once_and_keeps_nothing_of_theirs(app) -> None:
    client = app.test_client()
    rendered: list[str] = []

    def seen(sender, template, context, **extra) -> None:
        rendered.append(template.name)

    template_rendered.connect(seen, app)
    try:
        for typed in TYPED:
            client.get(PAGE, query_string={"postcode": typed})
    finally:
        template_rendered.disconnect(seen, app)
    assert rendered.count("supporters/campaign.html") == 1
    assert rendered.count("supporters/_lists.html") == 1
    kept = repr(list(app.extensions[pages.RENDERED]._data.values()))
    kept += repr(app.extensions[public.LISTS])
    for typed in TYPED[:-1]:
        assert typed.strip() not in kept
    assert "SE1 2DL" not in kept and "se1-2dl" not in kept


def test_chosen_areas_are_rendered_in_full(app) -> None:
    """A postcode with areas chosen too (rare) is not kept: the lists show the choice."""
    query = {"postcode": "SE1 2DL", "constituency": "E14001085", "pfa": "E23000001"}
    response = app.test_client().get(PAGE, query_string=query)
    assert response.status_code == 200
    assert '<option value="E14001085" selected>' in response.get_data(as_text=True)
    assert response.get_data(as_text=True) == full_render(app, query)


@pytest.mark.parametrize(
    "html, kept",
    [
        (f"<input value={public.SLOT!r}> é", (b"<input value='", "'> é".encode())),
        (f"{public.SLOT} and {public.SLOT}", None),  # twice: which one is theirs?
        (f"{public.SLOT} <a href='?postcode=QQ9+9QQ'>", None),  # encoded in a link too
        ("<p>no stand-in</p>", None),
    ],
)
def test_the_page_is_kept_in_two_pieces_only_around_one_plain_stand_in(html, kept) -> None:
    assert public._around(html) == kept


def test_a_page_it_cant_keep_is_rendered_in_full_each_time(app, monkeypatch) -> None:
    monkeypatch.setattr(public, "_around", lambda html: None)  # as if the template changed
    client = app.test_client()
    for typed in TYPED[:3]:
        query = {"postcode": typed}
        assert client.get(PAGE, query_string=query).get_data(as_text=True) == full_render(
            app, query
        )
