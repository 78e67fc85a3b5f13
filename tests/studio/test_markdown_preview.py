"""The editor's live preview of Markdown: a staff-only, CSRF-checked endpoint that renders
exactly what a save stores, and the region beside each Markdown box."""

import html as htmllib
import re

import pytest
from app_config import settings_for
from staff_helpers import add_staff
from staff_helpers import csrf_token
from staff_helpers import sign_in
from test_markdown import create_with_summary
from test_studio import minimal
from test_studio import post
from test_studio import stored

from advocacy import create_app
from advocacy.letters import markdown
from advocacy.letters.campaigns import MAX_TEXT
from advocacy.letters.validation import UNSTORABLE_MESSAGE

URL = "/admin/markdown"
TYPED = "Read **this** and [the ruling](https://example.org/r).\r\n\r\n## Why\r\n\r\n- one\r\n"


def preview(client, text: str, token: str | None = None):
    data = {"text": text}
    if token is not False:
        data["csrf_token"] = token or csrf_token(client, "/admin/campaigns/new")
    return client.post(URL, data=data)


def test_the_preview_is_what_a_save_stores(app, admin):
    html = preview(admin, TYPED).get_json()["html"]
    assert "<strong>this</strong>" in html
    assert '<a href="https://example.org/r" rel="noopener">the ruling</a>' in html
    assert "<h3>Why</h3>" in html
    # The summary box, saved with the same text as a browser posts it (CRLF line breaks).
    campaign_id = create_with_summary(admin, TYPED, next_ask=TYPED.replace("\r\n", "\n"))
    row = stored(app, campaign_id)
    assert row.summary_html == html
    assert row.to_campaign().next_ask_html == html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "<a href='https://example.org' onclick='alert(1)'>x</a>",
    ],
)
def test_raw_html_and_script_are_neutralised(admin, text):
    html = preview(admin, text).get_json()["html"]
    assert "<script" not in html and "<img" not in html and "<a href='" not in html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert not re.search(r"<[^>]+\son\w+=", html)  # no event handler on any tag
    assert html == markdown.to_html(text)


def test_no_text_is_no_html_and_too_much_is_refused(admin):
    assert preview(admin, "  \r\n ").get_json() == {"html": ""}
    response = preview(admin, "x" * (MAX_TEXT + 1))
    assert response.status_code == 400
    assert response.get_json() == {"error": f"Keep this to {MAX_TEXT} characters or fewer."}


@pytest.mark.parametrize("text", ["\x00", "a\x01b", "\u202eevil", "x\x7f"])
def test_text_a_save_refuses_is_refused_with_the_saves_message(app, admin, text):
    response = preview(admin, text)
    assert response.status_code == 400
    assert response.get_json() == {"error": UNSTORABLE_MESSAGE}
    for box in ("summary", "next_ask"):  # the two boxes with a preview
        saved = post(admin, "/admin/campaigns/new", minimal(), **{box: text})
        assert saved.status_code == 400
        assert UNSTORABLE_MESSAGE in htmllib.unescape(saved.get_data(as_text=True))


def test_signed_out_requests_never_use_up_an_allowance(tmp_path):
    app = create_app(settings_for(tmp_path / "x.sqlite", MARKDOWN_PREVIEW_RATE_LIMIT="2/minute"))
    add_staff(app, "one@example.org")
    stranger, one = app.test_client(), app.test_client()
    token = csrf_token(stranger, "/admin/login")
    assert [preview(stranger, "*a*", token).status_code for _ in range(4)] == [302] * 4
    assert sign_in(one, "one@example.org").status_code == 302
    token = csrf_token(one, "/admin/campaigns/new")
    assert [preview(one, "*a*", token).status_code for _ in range(3)] == [200, 200, 429]


def test_only_signed_in_staff_get_a_preview(client):
    token = csrf_token(client, "/admin/login")  # a valid token, but nobody signed in
    response = preview(client, "**bold**", token)
    assert response.status_code == 302
    assert response.location.startswith("/admin/login")


def test_the_preview_needs_the_csrf_token(admin):
    for token in (False, "not-the-token"):
        response = preview(admin, "**bold**", token)
        assert response.status_code == 400
        assert response.get_json(silent=True) is None  # the studio's error page, not a preview


def test_the_preview_is_rate_limited_per_account(tmp_path):
    app = create_app(settings_for(tmp_path / "x.sqlite", MARKDOWN_PREVIEW_RATE_LIMIT="2/minute"))
    add_staff(app, "one@example.org")
    add_staff(app, "two@example.org")
    one, two = app.test_client(), app.test_client()
    assert sign_in(one, "one@example.org").status_code == 302
    assert sign_in(two, "two@example.org").status_code == 302
    token = csrf_token(one, "/admin/campaigns/new")
    assert [preview(one, "*a*", token).status_code for _ in range(3)] == [200, 200, 429]
    assert preview(two, "*a*").status_code == 200  # another account has its own allowance


def test_each_markdown_box_has_a_labelled_live_region_beside_it(admin):
    campaign_id = create_with_summary(admin, "Cameras are *everywhere*.", next_ask="")
    html = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert f'data-markdown-url="{URL}"' in html
    for box, heading in (
        ("f-summary", "How the summary will look"),
        ("f-next-ask", "How the thank-you text will look"),
    ):
        assert f'data-markdown-preview="{box}-preview"' in html
        block = re.search(
            rf'<div class="markdown-preview" hidden>\s*<h3[^>]*id="{box}-preview-heading">'
            rf"{heading}</h3>\s*<div ([^>]*)>(.*?)</div>",
            html,
            re.S,
        )
        assert block, box
        attributes, shown = block.groups()
        assert 'role="region"' in attributes and 'aria-live="polite"' in attributes
        assert f'aria-labelledby="{box}-preview-heading"' in attributes
        if box == "f-summary":  # rendered as it is now, before any typing
            assert shown == "<p>Cameras are <em>everywhere</em>.</p>"
        else:
            assert shown == "Nothing yet: type in the box."
