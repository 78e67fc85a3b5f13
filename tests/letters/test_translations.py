"""A campaign's text in Welsh: kept beside the English, checked at save, made on demand."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from advocacy.letters import campaign_json
from advocacy.letters.campaigns import InvalidCampaign
from advocacy.letters.compose import greeting_for
from advocacy.letters.postal import dated
from advocacy.letters.recipient import Recipient

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "advocacy" / "example_campaign.json").read_text()
)


def errors_of(document) -> dict[str, list[str]]:
    with pytest.raises(InvalidCampaign) as info:
        campaign_json.from_dict(document)
    return info.value.errors


def test_the_example_offers_welsh_and_round_trips() -> None:
    campaign = campaign_json.from_dict(EXAMPLE)
    assert campaign.languages == ("en", "cy")
    again = campaign_json.from_dict(campaign.to_dict())
    assert again.translations == campaign.translations
    assert "language" not in campaign.to_dict()


def test_in_language_replaces_the_text_and_keeps_the_rest() -> None:
    english = campaign_json.from_dict(EXAMPLE)
    welsh = campaign_json.in_language(english, "cy")
    assert welsh.language == "cy" and welsh.title.startswith("Atal")
    assert welsh.sign_off == "Yn gywir,"
    assert [p.id for p in welsh.talking_points] == [p.id for p in english.talking_points]
    assert welsh.point("accuracy").label == "Mae pobl ddiniwed yn cael eu nodi ar gam"
    assert welsh.point("accuracy").source_url == english.point("accuracy").source_url
    # A point only for Scotland has no Welsh: it stays English.
    assert welsh.point("scotland-law").label == english.point("scotland-law").label
    assert (welsh.targets, welsh.nations, welsh.slug) == (
        english.targets,
        english.nations,
        english.slug,
    )
    assert campaign_json.in_language(english, "cy") is welsh  # made once
    assert campaign_json.in_language(welsh, "en") is english
    assert campaign_json.in_language(english, "fr") is english


def test_a_translation_must_hold_everything_a_supporter_in_wales_reads() -> None:
    document = copy.deepcopy(EXAMPLE)
    welsh = document["translations"]["cy"]
    del welsh["closing"]
    welsh["talking_points"] = [p for p in welsh["talking_points"] if p["id"] != "senedd"]
    welsh["prompts"][1].pop("lead_in")
    welsh["asks"].pop("police_force")
    errors = errors_of(document)
    assert set(errors) == {
        "translations.cy.closing",
        "translations.cy.talking_points.senedd",
        "translations.cy.prompts.local",
        "translations.cy.asks.police_force",
    }


def test_a_translation_is_checked_like_the_english() -> None:
    document = copy.deepcopy(EXAMPLE)
    document["translations"]["cy"]["closing"] = "Diolch, {nobody_knows_this}."
    document["translations"]["cy"]["talking_points"].append(
        {"id": "no-such-point", "label": "X", "phrasings": ["Y"]}
    )
    errors = errors_of(document)
    assert "translations.cy.closing" in errors
    assert "translations.cy.talking_points" in errors


@pytest.mark.parametrize(
    ("translations", "path"),
    [
        ({"fr": {"title": "Arrêtez"}}, "translations.fr"),
        ({"cy": "Atal"}, "translations.cy"),
        ({"cy": {"colour": "coch"}}, "translations.cy"),
        ({"cy": {"talking_points": [{"label": "no id"}]}}, "translations.cy.talking_points"),
        ({"cy": {"asks": {"mp": 3}}}, "translations.cy.asks"),
        ("cy", "translations"),
    ],
)
def test_a_translation_of_the_wrong_shape_is_refused(translations, path) -> None:
    assert path in errors_of({**EXAMPLE, "translations": translations})


def test_welsh_greetings_and_dates() -> None:
    commissioner = Recipient(
        "police_oversight", "X", None, None, "Commissioner", salutation_cy="Gomisiynydd"
    )
    assert greeting_for(commissioner, "cy") == "Annwyl Gomisiynydd,"
    assert greeting_for(commissioner) == "Dear Commissioner,"
    no_welsh = Recipient("fixed", "Home Secretary", None, None, "Home Secretary")
    assert greeting_for(no_welsh, "cy") == "Annwyl Home Secretary,"
    assert dated(date(2026, 12, 5), "cy") == "5 Rhagfyr 2026"
    assert dated(date(2026, 12, 5)) == "5 December 2026"
