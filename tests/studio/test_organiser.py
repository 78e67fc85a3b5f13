"""A campaign may name its organiser and give a picture for link previews: validation, the
document and its files, the editor, the migration, the supporter pages and the API."""

import json
import re
from dataclasses import replace
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from app_config import settings_for
from sqlalchemy import inspect
from test_studio import create
from test_studio import minimal
from test_studio import post
from test_studio import stored
from test_studio import upload

from advocacy import create_app
from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters import validation
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.platform.schema import MIGRATIONS
from advocacy.platform.schema import example_campaign

BEFORE = "9a4e7b21c3d8"  # the schema before organiser and image_url


def doc(**changes) -> dict:
    return {**example_campaign().to_dict(), **changes}


# --- Validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Big Brother Watch", "Liberty & Justice {UK}", "x" * 120])
def test_an_organiser_is_plain_text_on_one_line(name):
    assert campaign_json.from_dict(doc(organiser=name)).organiser == name


@pytest.mark.parametrize("name", ["   ", "\t", "\u3000\u00a0"])
def test_an_organiser_of_spaces_alone_is_no_organiser(name):
    campaign = campaign_json.from_dict(doc(organiser=name))
    assert campaign.organiser == ""
    assert "organiser" not in campaign.to_dict()


@pytest.mark.parametrize("name", ["  Big Brother Watch ", "Big Brother Watch\u2028"])
def test_spaces_around_an_organiser_are_dropped(name):
    assert campaign_json.from_dict(doc(organiser=name)).organiser == "Big Brother Watch"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 121, "Keep this to 120 characters or fewer."),
        ("Big Brother\nWatch", "Keep the organiser's name on one line."),
        ("Big Brother\u2028Watch", "Keep the organiser's name on one line."),
        ("Big Brother\u2029Watch", "Keep the organiser's name on one line."),
        ("Big Brother\x85Watch", "Keep the organiser's name on one line."),
        ("Big\x00Brother", validation.UNSTORABLE_MESSAGE),
        ("Watch\u202e", validation.UNSTORABLE_MESSAGE),
    ],
)
def test_an_organiser_that_cannot_be_shown_is_refused(name, message):
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaign_json.from_dict(doc(organiser=name))
    assert exc.value.errors == {"organiser": [message]}


@pytest.mark.parametrize(
    "url",
    [
        "/static/campaign.png",
        "/site-logo",
        "/images/stop%20lfr.png?v=2",
        "https://example.org/images/lfr.png",
        "https://cdn.example.org:8443/a/b.jpg?w=1200&h=630",
        "https://xn--bcher-kva.example/pic.webp",
    ],
)
def test_a_sharing_image_is_a_path_here_or_an_https_address(url):
    assert campaign_json.from_dict(doc(image_url=url)).image_url == url


@pytest.mark.parametrize(
    "url",
    [
        "//evil.example/x.png",  # another site, written as a path
        "/\\evil.example/x.png",  # browsers read a backslash as a slash
        "http://example.org/x.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "example.org/x.png",
        "static/x.png",
        "https://example.org/a picture.png",
        'https://example.org/x.png"><script>',
        "https://example.org/x.png#top",
        "https://user:pass@example.org/x.png",
        "https://localhost/x.png",
        "https://127.0.0.1/x.png",
        "https://exa_mple.org/x.png",
        "https://example.org:99999/x.png",
        "https://example.org/x.png\n",
        "https://bücher.example/x.png",
        "/x%zz.png",
        "HTTPS://example.org/x.png",
        "https://example.org/" + "a" * 500,
    ],
)
def test_any_other_sharing_image_address_is_refused(url):
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaign_json.from_dict(doc(image_url=url))
    assert list(exc.value.errors) == ["image_url"]


# --- The document and its files ----------------------------------------------------------------


def test_documents_without_them_read_and_write_as_before():
    old = example_campaign().to_dict()
    assert "organiser" not in old and "image_url" not in old  # empty: left out, as before
    both = campaign_json.from_dict(doc(organiser="Big Brother Watch", image_url="/static/x.png"))
    written = both.to_dict()
    assert written["format"] == "advocacy.campaign/3"
    assert (written["organiser"], written["image_url"]) == ("Big Brother Watch", "/static/x.png")
    assert campaign_json.from_dict(written) == both


@pytest.mark.parametrize("version", ["advocacy.campaign/1", "advocacy.campaign/2"])
def test_an_older_export_imports_unchanged(admin, app, version):
    data = {**example_campaign().to_dict(), "format": version, "slug": "older"}
    response = upload(admin, json.dumps(data).encode())
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug="older")).scalar_one()
        assert (row.organiser, row.image_url) == ("", "")
        assert "organiser" not in row.to_campaign().to_dict()


def test_export_and_import_carry_them(admin, app):
    campaign_id = create(admin, organiser="Big Brother Watch", image_url="/static/lfr.png")
    exported = json.loads(admin.get(f"/admin/campaigns/{campaign_id}/export").data)
    assert exported["organiser"] == "Big Brother Watch"
    assert exported["image_url"] == "/static/lfr.png"
    response = upload(admin, json.dumps({**exported, "slug": "copied"}).encode())
    assert response.status_code == 302
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug="copied")).scalar_one()
        assert (row.organiser, row.image_url) == ("Big Brother Watch", "/static/lfr.png")


def test_an_imported_file_with_a_bad_image_address_says_so(admin):
    data = {**example_campaign().to_dict(), "slug": "bad", "image_url": "//evil.example/x"}
    html = upload(admin, json.dumps(data).encode()).get_data(as_text=True)
    assert "Enter the picture&#39;s address on this site" in html


# --- The editor and history ---------------------------------------------------------------------


def test_the_editor_saves_them_and_history_names_them(app, admin):
    campaign_id = create(admin)
    editor = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'id="f-organiser" name="organiser"' in editor
    assert 'id="f-image-url" name="image_url"' in editor
    assert "A wide picture works best" in editor  # hints for people who are not programmers
    changed = minimal(organiser="Big Brother Watch", image_url="https://example.org/lfr.png")
    assert post(admin, f"/admin/campaigns/{campaign_id}", changed, version="1").status_code == 302
    row = stored(app, campaign_id)
    assert (row.organiser, row.image_url) == ("Big Brother Watch", "https://example.org/lfr.png")
    assert row.revision_list[0][2] == ["Changed the organiser", "Changed the sharing image"]
    html = admin.get(f"/admin/campaigns/{campaign_id}/revisions/2").get_data(as_text=True)
    assert "<dt>Organiser</dt>" in html and "<dt>Sharing image</dt>" in html
    # Emptied again, they are gone from the row too.
    assert post(admin, f"/admin/campaigns/{campaign_id}", minimal(), version="2").status_code == 302
    row = stored(app, campaign_id)
    assert (row.organiser, row.image_url) == ("", "")


def test_the_preview_shows_the_organiser_as_supporters_see_it(app, admin):
    campaign_id = create(admin)
    preview = f"/admin/campaigns/{campaign_id}/preview"
    assert "A campaign by" not in admin.get(preview).get_data(as_text=True)
    changed = minimal(organiser="Big Brother Watch & Friends")
    assert post(admin, f"/admin/campaigns/{campaign_id}", changed, version="1").status_code == 302
    html = admin.get(preview).get_data(as_text=True)
    section = re.search(r'<section class="preview-texts".*?</section>', html, re.S).group(0)
    assert "A campaign by <strong>Big Brother Watch &amp; Friends</strong>" in section


def test_a_bad_image_address_is_named_next_to_its_field_and_nothing_is_saved(app, admin):
    campaign_id = create(admin)
    bad = minimal(image_url="http://example.org/x.png")
    response = post(admin, f"/admin/campaigns/{campaign_id}", bad, version="1")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#f-image-url">Enter the picture&#39;s address' in html
    assert 'value="http://example.org/x.png"' in html  # nothing typed is lost
    assert stored(app, campaign_id).version == 1


# --- The migration -----------------------------------------------------------------------------


def columns(table: str = "campaign") -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_the_migration_adds_empty_columns_to_existing_campaigns_and_goes_back(tmp_path):
    app = create_app(settings_for(tmp_path / "migrate.sqlite"))
    with app.app_context():
        flask_migrate.downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert not {"organiser", "image_url"} & columns()
        title = db.session.execute(db.text("SELECT title FROM campaign")).scalar_one()
        flask_migrate.upgrade(directory=MIGRATIONS)
        assert {"organiser", "image_url"} <= columns()
        row = db.session.execute(db.select(CampaignRow)).scalar_one()
        assert (row.title, row.organiser, row.image_url) == (title, "", "")
        # Going back below the conditions' migration drops their columns (as each downgrade
        # drops its own): what the older columns hold comes back, the default texts.
        back, example = row.to_campaign(), replace(example_campaign(), status="live")
        restored = replace(
            back,
            opening=example.opening,
            talking_points=back.talking_points,
            place_facts=example.place_facts,
            translations=example.translations,
        )
        assert restored == replace(example, talking_points=back.talking_points)
        assert back.opening == campaigns.default_text(example.opening)
        assert example.place_facts and not back.place_facts
        assert example.translations and not back.translations
        assert [p.id for p in back.talking_points] == [p.id for p in example.talking_points]
        # The models and the migrations describe the same schema.
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_the_migration_chains_on_the_markdown_summary():
    text = next(Path(MIGRATIONS, "versions").glob("*_campaign_organiser_and_sharing_image.py"))
    source = text.read_text()
    assert f"down_revision = '{BEFORE}'" in source


# --- Supporter pages and the API -----------------------------------------------------------------


def live(app, **changes) -> str:
    with app.app_context():
        row = store.create(
            campaign_json.from_dict(doc(slug="organised", status="live", **changes)), "test"
        )
        return row.slug


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_the_campaign_page_and_embed_name_the_organiser(app, client):
    slug = live(app, organiser="Big Brother Watch & Friends")
    for path in (f"/c/{slug}", f"/embed/{slug}"):
        html = client.get(path).get_data(as_text=True)
        title_then_organiser = re.search(
            r"</h1>\s*<p class=\"organiser\">A campaign by <strong>Big Brother Watch &amp; "
            r"Friends</strong></p>",
            html,
        )
        assert title_then_organiser, path


def test_no_organiser_no_line(client):
    html = client.get("/c/stop-facial-recognition").get_data(as_text=True)
    assert "A campaign by" not in html


def test_a_sharing_image_on_this_site_becomes_a_full_address(app, client):
    slug = live(app, image_url="/static/lfr.png?v=2")
    html = client.get(f"/c/{slug}").get_data(as_text=True)
    assert '<meta property="og:image" content="http://localhost/static/lfr.png?v=2">' in html
    assert '<meta name="twitter:image" content="http://localhost/static/lfr.png?v=2">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    # For link previews only: the page itself never loads it.
    assert "lfr.png" not in html.split("</head>", 1)[1]


def test_a_sharing_image_elsewhere_is_used_as_it_is(app, client):
    slug = live(app, image_url="https://cdn.example.org/lfr.png?w=1200&h=630")
    html = head(client.get(f"/c/{slug}").get_data(as_text=True))
    url = "https://cdn.example.org/lfr.png?w=1200&amp;h=630"
    assert f'<meta property="og:image" content="{url}">' in html
    assert f'<meta name="twitter:image" content="{url}">' in html


def test_without_one_the_site_logo_is_the_sharing_image(tmp_path):
    app = create_app(settings_for(tmp_path / "logo.sqlite", SITE_LOGO="/static/logo.svg"))
    html = head(app.test_client().get("/c/stop-facial-recognition").get_data(as_text=True))
    assert '<meta property="og:image" content="http://localhost/static/logo.svg">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_the_api_names_the_organiser(app, client):
    assert client.get("/api/v1/campaigns/stop-facial-recognition").json["organiser"] is None
    slug = live(app, organiser="Big Brother Watch")
    assert client.get(f"/api/v1/campaigns/{slug}").json["organiser"] == "Big Brother Watch"
