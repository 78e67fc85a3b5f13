"""The supporter flow inside partner iframes: /embed/<slug>, framing rules, carried ref/theme."""

import re

import pytest

from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
PARTNER = "https://partner.example"
CHOICES = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
}


def allow(app, *origins: str) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        row.allowed_origins = list(origins)
        db.session.commit()


def frame_ancestors(response) -> str:
    csp = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", csp).group(1)


def test_the_embed_is_the_same_flow_without_the_site_header(client):
    response = client.get(f"/embed/{SLUG}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stop police live facial recognition" in html
    assert "site-header" not in html and "data-embed" in html
    assert f'action="/embed/{SLUG}"' in html
    assert "Set-Cookie" not in response.headers


def test_no_other_site_may_frame_a_campaign_that_names_no_sites(client):
    # 'self' only: the studio's "Share and embed" preview frames the embed from this site.
    assert frame_ancestors(client.get(f"/embed/{SLUG}")) == "'self'"


def test_the_embed_may_be_framed_by_the_campaigns_sites_only(app, client):
    allow(app, PARTNER, "http://127.0.0.1:8001")
    allowed = f"'self' {PARTNER} http://127.0.0.1:8001"
    assert frame_ancestors(client.get(f"/embed/{SLUG}")) == allowed
    letters = client.post(f"/embed/{SLUG}/letters", data=CHOICES)
    assert frame_ancestors(letters) == allowed
    assert frame_ancestors(client.get(f"/embed/{SLUG}/thanks")) == allowed
    # Every other page stays unframeable, whatever the campaign allows.
    for path in (f"/c/{SLUG}", "/", "/admin/login", f"/api/v1/campaigns/{SLUG}"):
        assert frame_ancestors(client.get(path)) == "'none'", path


def test_every_step_stays_inside_the_embed(client):
    choose = client.get(
        f"/embed/{SLUG}", query_string=CHOICES | {"constituency": "E14001172", "pfa": "E23000001"}
    )
    html = choose.get_data(as_text=True)
    assert choose.status_code == 200
    assert f'action="/embed/{SLUG}/letters"' in html
    letters = client.post(f"/embed/{SLUG}/letters", data=CHOICES).get_data(as_text=True)
    assert f'action="/embed/{SLUG}/letters"' in letters
    assert f'action="/embed/{SLUG}/thanks"' in letters
    # Mail links leave the frame: the mail app or webmail opens at the top, never inside it.
    for tag in re.findall(r"<a [^>]*data-send[^>]*>", letters):
        assert 'target="_top"' in tag or 'target="_blank"' in tag, tag


def test_ref_and_theme_travel_through_the_steps(client):
    page = client.get(f"/embed/{SLUG}?ref=local-group&theme=green").get_data(as_text=True)
    assert 'class="embed theme-green"' in page
    assert '<input type="hidden" name="ref" value="local-group">' in page
    assert '<input type="hidden" name="theme" value="green">' in page
    letters = client.post(
        f"/embed/{SLUG}/letters?ref=local-group&theme=green", data=CHOICES
    ).get_data(as_text=True)
    assert f"/embed/{SLUG}/letters?ref=local-group&amp;theme=green" in letters
    assert 'class="embed theme-green"' in letters


@pytest.mark.parametrize(
    "query", ["theme=red;}body{display:none", "theme=orange", "ref=<script>", "ref=" + "x" * 41]
)
def test_unknown_themes_and_odd_refs_are_ignored(client, query):
    html = client.get(f"/embed/{SLUG}?{query}").get_data(as_text=True)
    assert 'class="embed"' in html
    assert 'name="ref"' not in html and 'name="theme"' not in html
    assert "display:none" not in html and "<script>" not in html


def test_the_full_page_carries_ref_but_not_theme(client):
    html = client.get(f"/c/{SLUG}?ref=local-group&theme=green").get_data(as_text=True)
    assert '<input type="hidden" name="ref" value="local-group">' in html
    assert "theme" not in html.split("<main", 1)[1]


def test_drafts_and_closed_campaigns_in_an_embed(app, client):
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status="closed"))
        db.session.commit()
    assert client.get(f"/embed/{SLUG}").status_code == 410
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status="draft"))
        db.session.commit()
    assert client.get(f"/embed/{SLUG}").status_code == 404


def test_embed_script_is_served(client):
    with client.get("/static/embed.js") as response:
        assert response.status_code == 200
        script = response.get_data(as_text=True)
    assert "event.origin !== origin" in script and "advocacyHeight" in script


def test_a_stored_origin_can_never_inject_a_csp_directive(app, client):
    # Stored before origins were parsed strictly (or written by hand into the database).
    hostile = "https://a.example; report-uri https://evil.example/r"
    allow(app, hostile, PARTNER, "https://b.example 'unsafe-inline'", "https://c.example,x")
    response = client.get(f"/embed/{SLUG}")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "report-uri" not in csp and "evil" not in csp and "unsafe-inline" not in csp
    assert frame_ancestors(response) == f"'self' {PARTNER}"
    assert len(csp.split(";")) == 9  # the policy's own directives, and nothing more
