"""The studio's "Share and embed" panel: the link, the snippet, the preview and partner counts."""

import re
from html import unescape

import pytest

from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.studio.preview import embed_snippet

SLUG = "stop-facial-recognition"
SHARE = "/admin/campaigns/1/share"
CHOICES = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
}


def set_row(app, **values) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def snippet_of(html: str) -> str:
    return unescape(re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', html, re.S)[1])


def test_the_snippet_is_the_documented_link_and_script():
    assert embed_snippet("https://act.example", SLUG, "Write to your MP") == (
        f'<a class="advocacy-embed" href="https://act.example/c/{SLUG}" data-campaign="{SLUG}">'
        "Write to your MP</a>\n"
        '<script async src="https://act.example/static/embed.js"></script>'
    )


def test_the_snippet_escapes_the_link_text_and_carries_ref_and_theme():
    html = embed_snippet("https://act.example", SLUG, '<b>"Act"</b>', ref="g-1", theme="red")
    assert "<b>" not in html
    assert "&lt;b&gt;&#34;Act&#34;&lt;/b&gt;</a>" in html
    assert f'data-campaign="{SLUG}" data-ref="g-1" data-theme="red">' in html


def test_the_editor_links_to_the_panel(admin):
    html = admin.get("/admin/campaigns/1").get_data(as_text=True)
    assert f'<a href="{SHARE}">Share and embed</a>' in html


def test_the_panel_is_for_staff_only(client):
    response = client.get(SHARE)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_the_panel_gives_the_link_and_code_for_a_partner(admin):
    response = admin.get(f"{SHARE}?ref=local-group&theme=green&text=Email+your+MP")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="http://localhost/c/{SLUG}?ref=local-group"' in html
    assert snippet_of(html) == embed_snippet(
        "http://localhost", SLUG, "Email your MP", ref="local-group", theme="green"
    )
    assert '<option value="green" selected>' in html


def test_a_label_that_cannot_be_counted_is_refused_next_to_its_field(admin):
    html = admin.get(f"{SHARE}?ref=our+group!&theme=pink").get_data(as_text=True)
    assert 'id="ref-error"' in html and 'aria-invalid="true"' in html
    assert 'value="our group!"' in html  # what was typed stays, to be corrected
    snippet = snippet_of(html)
    assert "data-ref" not in snippet and "data-theme" not in snippet  # pink is not a theme
    assert f'value="http://localhost/c/{SLUG}"' in html


def test_a_campaign_no_site_may_embed_says_so(admin):
    html = admin.get(SHARE).get_data(as_text=True)
    assert "data-no-origins" in html
    assert "No site can embed this campaign yet." in html
    assert 'href="/admin/campaigns/1#f-allowed-origins"' in html


def test_the_sites_that_may_embed_are_listed(app, admin):
    set_row(app, allowed_origins=["https://partner.example", "https://local.example"])
    html = admin.get(SHARE).get_data(as_text=True)
    assert "data-no-origins" not in html
    assert "<li><code>https://partner.example</code></li>" in html
    assert "<li><code>https://local.example</code></li>" in html


def test_the_preview_is_the_live_embed_without_the_partner_label(admin):
    response = admin.get(f"{SHARE}?ref=local-group&theme=purple")
    html = response.get_data(as_text=True)
    preview = re.search(r"data-embed-preview>(.*?)</div>", html, re.S)[1]
    assert f'data-campaign="{SLUG}" data-theme="purple">' in preview
    assert "data-ref" not in preview  # staff trying it add nothing to the partner's count
    assert '<script async src="http://localhost/static/embed.js"></script>' in preview
    assert f'href="/embed/{SLUG}?theme=purple"' in html
    # Only this page may hold a frame, and only of this site; it can't itself be framed.
    csp = response.headers["Content-Security-Policy"]
    assert "frame-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "frame-src 'none'" in admin.get("/admin/campaigns/1").headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("status", "says"),
    [("draft", "the link and the embed show “not found”"), ("closed", "tell supporters so")],
)
def test_a_campaign_supporters_cannot_use_says_why(app, admin, status, says):
    set_row(app, status=status)
    html = admin.get(SHARE).get_data(as_text=True)
    assert says in html
    assert ("data-embed-preview" in html) == (status == "closed")


def test_letters_are_counted_by_partner_label(admin, client):
    for ref in ("local-group", "newsletter"):
        client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": ref})
    page = client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "local-group"})
    token = re.search(r'name="t" value="([^"]+)"', page.get_data(as_text=True))[1]  # receipt
    client.post(f"/embed/{SLUG}/thanks?ref=local-group", data={"t": token})
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    html = admin.get(SHARE).get_data(as_text=True)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td></tr>", html)
    assert rows == [
        ("<code>local-group</code>", "2", "1"),
        ("No label", "1", "0"),
        ("<code>newsletter</code>", "1", "0"),
    ]


def test_no_letters_yet(admin):
    assert "No letters yet." in admin.get(SHARE).get_data(as_text=True)
