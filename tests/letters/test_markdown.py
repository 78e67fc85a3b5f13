"""Markdown for the campaign summary and the thank-you text: rendered by CommonMark with raw
HTML off, then sanitised; summaries written in HTML before Markdown keep working."""

import json
import re

import pytest
from test_studio import create
from test_studio import minimal
from test_studio import post
from test_studio import stored

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters import markdown
from advocacy.letters.sanitize import clean_html
from advocacy.letters.sanitize import new_tab
from advocacy.platform.schema import example_campaign
from advocacy.studio import editor_form


def test_headings_lists_and_emphasis():
    html = markdown.to_html("# Why\n\n*Cameras* scan **everyone**.\n\n- one\n- two\n\n1. first")
    assert "<h2>Why</h2>" in html  # the page's title is its only <h1>
    assert "<p><em>Cameras</em> scan <strong>everyone</strong>.</p>" in html
    assert re.search(r"<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>", html)
    assert re.search(r"<ol>\s*<li>first</li>\s*</ol>", html)


def test_links_get_rel_noopener():
    html = markdown.to_html('[the ruling](https://example.org/ruling "April 2026")')
    assert html == (
        '<p><a href="https://example.org/ruling" title="April 2026" rel="noopener">'
        "the ruling</a></p>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        "[click](vbscript:msgbox)",
        "<javascript:alert(1)>",
    ],
)
def test_script_links_are_dropped(text):
    html = markdown.to_html(text)
    assert "href" not in html
    assert "<script" not in html


def test_raw_html_is_shown_as_text_never_used():
    html = markdown.to_html('<script>alert(1)</script>\n\nHi <b onclick="x()">there</b>')
    assert "<script" not in html and "<b" not in html
    assert "&lt;b onclick" in html  # staff see what they typed


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "![a camera](https://evil.example/x.png)",
            '<p><a href="https://evil.example/x.png" rel="noopener">a camera</a></p>',
        ),
        (
            "See ![the *map*](https://x.example/m.png) here",
            '<p>See <a href="https://x.example/m.png" rel="noopener">the map</a> here</p>',
        ),
        (
            "![](https://x.example/m.png)",
            '<p><a href="https://x.example/m.png" rel="noopener">https://x.example/m.png</a></p>',
        ),
    ],
)
def test_an_image_is_a_link_to_it_never_an_img(text, html):
    assert markdown.to_html(text) == html  # no stray "!", and nothing loads from elsewhere


def test_an_image_with_a_script_address_is_no_link():
    html = markdown.to_html("![x](javascript:alert(1))")
    assert "href" not in html and "<img" not in html


def test_quotes_rules_and_code_keep_their_structure():
    html = markdown.to_html("> a quote\n\n---\n\n```\nx <b>\n```\n\n    indented\n\n`inline`")
    assert re.search(r"<blockquote>\s*<p>a quote</p>\s*</blockquote>", html)
    assert "<hr>" in html
    assert "<pre><code>x &lt;b&gt;\n</code></pre>" in html
    assert "<pre><code>indented\n</code></pre>" in html
    assert "<code>inline</code>" in html


def test_code_blocks_carry_no_attributes():
    html = markdown.to_html('```js onclick="x()"\nalert(1)\n```')
    assert html == "<pre><code>alert(1)\n</code></pre>"


def test_no_text_is_no_html():
    assert markdown.to_html("") == markdown.to_html("  \n ") == ""


def test_sanitiser_sets_rel_itself_and_opens_new_tabs_when_asked():
    html = clean_html('<a href="https://a.example/" rel="opener" target="_self">a</a>')
    assert html == '<a href="https://a.example/" rel="noopener">a</a>'
    assert new_tab(html) == '<a href="https://a.example/" target="_blank" rel="noopener">a</a>'
    assert clean_html('<a href="javascript:x()">a</a>') == "<a>a</a>"


def _same(html: str) -> str:
    """HTML as a browser shows it: white space next to a tag makes no difference here."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", clean_html(html)).strip()


@pytest.mark.parametrize(
    "html",
    [
        example_campaign().summary_html,
        '<p>a <strong>b</strong> <em>c</em><br>d <a href="https://x.example/" title="t">l</a></p>',
        '<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol start="3"><li>x</li></ol>',
        "<p>2*3 is [not] a _link_ or # heading</p>",
        "<p>2 &lt; 3 &amp; 4</p>",
        "<p>a</p><hr><p>b</p>",
        "<blockquote><p>q <em>x</em></p><p>r</p></blockquote><p>after</p>",
        "<p>x</p><blockquote><ul><li>a</li></ul></blockquote>",
        "<pre><code>x = 1\n  y ``` *z*\n</code></pre>",
    ],
)
def test_html_summaries_read_as_markdown_that_renders_the_same(html):
    assert _same(markdown.to_html(markdown.from_html(html))) == _same(html)


def test_a_markdown_summary_makes_the_html():
    data = {**example_campaign().to_dict(), "summary": "We *must* act.", "summary_html": "old"}
    campaign = campaign_json.from_dict(data)
    assert campaign.summary_html == "<p>We <em>must</em> act.</p>"
    assert campaign.to_dict()["summary"] == "We *must* act."


def test_an_html_summary_from_before_markdown_is_kept():
    campaign = example_campaign()
    data = campaign.to_dict()
    assert "summary" not in data  # files read as they always did
    assert campaign_json.from_dict(data).summary_html == campaign.summary_html
    v1 = {**data, "format": "advocacy.campaign/1"}
    del v1["nations"]
    assert campaign_json.from_dict(v1).summary_html == campaign.summary_html


def test_a_summary_is_text_and_has_limits():
    data = example_campaign().to_dict()
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaign_json.from_dict({**data, "summary": 3})
    assert exc.value.errors == {"summary": ["Must be text."]}
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaign_json.from_dict({**data, "summary": "x" * (campaigns.MAX_TEXT + 1)})
    assert "summary" in exc.value.errors
    # Braces are words in a summary, not placeholders.
    assert campaign_json.from_dict({**data, "summary": "{not a placeholder}"}).summary


# --- The studio and the pages -----------------------------------------------------------------


def create_with_summary(client, summary: str, **changes) -> int:
    """A campaign saved from the editor with ``summary`` typed in the summary box."""
    response = post(client, "/admin/campaigns/new", minimal(**changes), summary=summary)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/admin/campaigns/(\d+)", response.location).group(1))


def test_staff_write_the_summary_in_markdown(app, admin):
    text = "Read [the ruling](https://example.org/r)."
    campaign_id = create_with_summary(admin, text, status="live")
    row = stored(app, campaign_id)
    assert row.summary == "Read [the ruling](https://example.org/r)."
    link = '<a href="https://example.org/r" rel="noopener">the ruling</a>'
    assert link in row.summary_html
    page = app.test_client().get("/c/test-campaign").get_data(as_text=True)
    assert link in page
    assert 'content="Read the ruling."' in page  # the sharing description is text
    embed = app.test_client().get("/embed/test-campaign").get_data(as_text=True)
    assert '<a href="https://example.org/r" target="_blank" rel="noopener">' in embed
    editor = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Read [the ruling](https://example.org/r).</textarea>" in editor


def test_an_html_summary_shows_as_markdown_and_an_untouched_save_keeps_it(app):
    doc = example_campaign().to_dict()
    shown = editor_form.for_editor(doc)
    assert shown["summary"].startswith("Some police forces now scan the face of everyone")
    assert "**live facial recognition**" in shown["summary"]
    untouched = {"summary": shown["summary"], "summary_html": shown["html_summary"]}
    assert markdown.from_form(untouched) == {"summary": "", "summary_html": doc["summary_html"]}
    edited = {**untouched, "summary": "New words."}
    assert markdown.from_form(edited) == {"summary": "New words.", "summary_html": ""}
    cleared = {**untouched, "summary": "  "}
    assert markdown.from_form(cleared) == {"summary": "", "summary_html": ""}


def test_editing_an_html_summary_stores_markdown(app, admin):
    campaign_id = create(admin, summary_html="<p>Old <em>words</em>.</p>")
    editor = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Old *words*.</textarea>" in editor
    assert 'name="summary_html" value="&lt;p&gt;Old' in editor
    doc = minimal(summary_html="<p>Old <em>words</em>.</p>")
    response = post(
        admin, f"/admin/campaigns/{campaign_id}", doc, version="1", summary="New *words*."
    )
    assert response.status_code == 302
    row = stored(app, campaign_id)
    assert (row.summary, row.summary_html) == ("New *words*.", "<p>New <em>words</em>.</p>")


def test_emptying_the_summary_box_clears_the_summary(app, admin):
    campaign_id = create_with_summary(admin, "Cameras are *everywhere*.")
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(), version="1", summary="")
    assert response.status_code == 302
    row = stored(app, campaign_id)
    assert (row.summary, row.summary_html) == ("", "")
    assert "summary" not in row.document  # left out when empty, as before Markdown


def test_the_thank_you_text_is_markdown(app, admin):
    text = "Now **tell a friend**, or [give](https://example.org/give)."
    create(admin, next_ask=text, status="live")
    page = app.test_client().get("/c/test-campaign/thanks").get_data(as_text=True)
    assert "<strong>tell a friend</strong>" in page
    assert '<a href="https://example.org/give" rel="noopener">give</a>' in page
    embed = app.test_client().get("/embed/test-campaign/thanks").get_data(as_text=True)
    assert '<a href="https://example.org/give" target="_blank" rel="noopener">' in embed


def test_an_exported_markdown_summary_imports_again(app, admin):
    campaign_id = create_with_summary(admin, "## Why\n\nBecause.")
    exported = admin.get(f"/admin/campaigns/{campaign_id}/export").get_data(as_text=True)
    data = json.loads(exported)
    assert data["summary"] == "## Why\n\nBecause."
    again = campaign_json.from_dict({**data, "slug": "again"})
    assert again.summary_html == "<h3>Why</h3>\n<p>Because.</p>"


def test_the_preview_page_shows_the_rendered_summary_and_thank_you_text(app, admin):
    campaign_id = create_with_summary(
        admin, "Cameras are *everywhere*.", next_ask="Tell **one** friend."
    )
    html = admin.get(f"/admin/campaigns/{campaign_id}/preview").get_data(as_text=True)
    section = re.search(r'<section class="preview-texts".*?</section>', html, re.S).group(0)
    assert "<p>Cameras are <em>everywhere</em>.</p>" in section
    assert "<p>Tell <strong>one</strong> friend.</p>" in section
