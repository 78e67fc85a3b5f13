"""Shared fixtures: an app on a fresh SQLite file, and postcodes.io faked with recorded bodies."""

import json
from pathlib import Path

import pytest
import responses
from app_config import POSTCODES_URL
from app_config import settings_for
from babel.messages.mofile import write_mo
from catalogues import read_catalogue
from staff_helpers import add_staff
from staff_helpers import sign_in

from advocacy import create_app

DATA = Path(__file__).parent / "data"

# Postcode (as postcodes.io is asked for it) → recorded body and status.
RECORDED = {
    "SE12DL": ("postcode_200_SE1_2DL_england_metropolitan.json", 200),
    "M11AD": ("postcode_200_M1_1AD_england_greater_manchester.json", 200),
    "BR87RE": ("postcode_200_BR8_7RE_england_kent_DOCS_EXAMPLE.json", 200),
    "CF243AA": ("postcode_200_CF24_3AA_wales.json", 200),
    "AB101AB": ("postcode_200_AB10_1AB_scotland.json", 200),
    "BT537HX": ("postcode_200_BT53_7HX_northern_ireland.json", 200),
    "JE24WD": ("postcode_200_JE2_4WD_channel_islands_jersey.json", 200),
    "SW1A2DD": ("postcode_200_SW1A_2DD_england_metropolitan_LEGACY_SHAPE.json", 200),
    "ID11QE": ("postcode_404_not_found.json", 404),
    "AB10AA": ("postcode_404_not_found_terminated_AB1_0AA.json", 404),
}


def recorded(name: str) -> dict:
    return json.loads((DATA / "postcodes_io" / name).read_text(encoding="utf-8"))


@pytest.fixture
def app(tmp_path):
    return create_app(settings_for(tmp_path / "test.sqlite"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def welsh_app(tmp_path):
    """Welsh offered, with the repository's catalogue compiled as the install step would."""
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, read_catalogue("cy"))
    return create_app(
        settings_for(
            tmp_path / "test.sqlite",
            LANGUAGES="en,cy",
            BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"),
        )
    )


@pytest.fixture
def limited(tmp_path):
    """A client of an app with tiny rate limits: 2 lookups and 3 letters a minute."""
    app = create_app(
        settings_for(
            tmp_path / "limited.sqlite",
            API_LETTERS_RATE_LIMIT="3 per minute",
            API_LOOKUP_RATE_LIMIT="2 per minute",
        )
    )
    return app.test_client()


@pytest.fixture
def postcodes_io():
    """postcodes.io with the recorded answers; any other URL raises ConnectionError."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for postcode, (name, status) in RECORDED.items():
            rsps.get(f"{POSTCODES_URL}/postcodes/{postcode}", json=recorded(name), status=status)
        yield rsps


# --- Staff -------------------------------------------------------------------------------------


@pytest.fixture
def admin(app, client):
    """A client signed in as an admin."""
    add_staff(app, "admin@example.org", "admin")
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


@pytest.fixture
def editor(app):
    """A second client, signed in as an editor."""
    add_staff(app, "editor@example.org", "editor")
    client = app.test_client()
    assert sign_in(client, "editor@example.org").status_code == 302
    return client
