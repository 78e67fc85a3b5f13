"""Text chosen by what the recipient is (issue 24): conditions on texts, pools and points, the
force's and the campaign's own place facts, and a letter that cites each fact once."""

import json
from pathlib import Path

import pytest
from places import SEVENOAKS
from places import SOUTHWARK

from advocacy.letters import conditions
from advocacy.letters.campaign_json import from_dict
from advocacy.letters.campaigns import InvalidCampaign
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.letters.compose import letters
from advocacy.letters.recipient import fixed_recipient
from advocacy.places.directory import bundled
from advocacy.places.postcodes import Place

FIXTURES = Path(__file__).parent.parent / "data"
# The example campaign as it was in format /2, with nation variants (before issue 24): an old
# file that must still import.
EXAMPLE = FIXTURES / "campaigns" / "example_v2.json"
# South Wales deploys the cameras; Gwent has none on record; Essex paused; Suffolk trialled.
CARDIFF = Place("CF24 3AA", "Wales", "W07000089", "Cardiff East", "W15000003", "South Wales")
NEWPORT = Place(None, "Wales", "W07000104", "Newport East", "W15000002", "Gwent")
SALE = Place(None, "England", "E14001602", "Wythenshawe and Sale East", "E23000005", "GM")
STOP = "I ask {force_name} to stop using live facial recognition."
NOT_START = "I ask {force_name} not to start using live facial recognition."


def doc(**changes) -> dict:
    data = {
        "format": "advocacy.campaign/3",
        "slug": "conditions",
        "title": "Conditions",
        "status": "live",
        "subject_lines": ["About {force_name}"],
        "opening": [
            {"when": {"nation": ["wales"]}, "text": "I live in {constituency} in Wales."},
            {"text": "I live in {constituency}."},
        ],
        "talking_points": [
            {"id": "a", "label": "A", "phrasings": ["Point A."]},
        ],
        "asks": {
            "police_force": [
                {"when": {"force.lfr_status": ["deploys", "paused", "trial"]}, "text": STOP},
                {"text": NOT_START},
            ],
            "mp": "Please act.",
            "police_oversight": "Please hold them to account.",
        },
        "closing": "Thank you.",
    }
    data.update(changes)
    return data


def write(campaign, place: Place, points=("a",), name="Ada", recipients=None):
    book = bundled()
    facts = campaign.place_facts.at(place.pfa_code, place.constituency_code)
    recipients = recipients or book.recipients(place, campaign.targets)
    return letters(
        campaign,
        recipients,
        Sender(name),
        Choices(points),
        book.place_values(place) | facts,
        attributes=book.place_attributes(place) | facts,
    )


def by_role(result) -> dict:
    return {x.recipient.role: x for x in result}


def errors_for(data: dict) -> dict[str, list[str]]:
    with pytest.raises(InvalidCampaign) as caught:
        from_dict(data)
    return caught.value.errors


# --- choosing -----------------------------------------------------------------------------------


def test_the_first_matching_alternative_wins_and_the_default_is_the_rest():
    campaign = from_dict(doc())
    cardiff = by_role(write(campaign, CARDIFF))
    newport = by_role(write(campaign, NEWPORT))
    sevenoaks = by_role(write(campaign, SEVENOAKS))  # Kent: no use on record
    assert "stop using" in cardiff["police_force"].body
    assert "not to start" in newport["police_force"].body
    assert "not to start" in sevenoaks["police_force"].body
    assert "I live in Cardiff East in Wales." in cardiff["mp"].body
    assert "I live in Sevenoaks." in sevenoaks["mp"].body
    # The ask for the force is chosen by the force; other roles keep their own ask.
    assert cardiff["mp"].body.count("Please act.") == 1
    assert ("opening", 0) in cardiff["mp"].taken and ("opening", 1) in sevenoaks["mp"].taken
    assert ("asks.police_force", 0) in cardiff["police_force"].taken


def test_first_match_wins_even_when_a_later_one_matches_too():
    data = doc()
    data["asks"]["police_force"] = [
        {"when": {"nation": ["wales"]}, "text": "Welsh ask."},
        {"when": {"force.lfr_status": ["deploys"]}, "text": "Deploying ask."},
        {"text": "Default ask."},
    ]
    campaign = from_dict(data)
    assert "Welsh ask." in by_role(write(campaign, CARDIFF))["police_force"].body
    assert "Deploying ask." in by_role(write(campaign, SALE))["police_force"].body
    assert "Default ask." in by_role(write(campaign, SEVENOAKS))["police_force"].body


def test_role_conditions_pick_letters_and_fixed_recipients_have_their_own_role():
    data = doc()
    data["closing"] = [
        {"when": {"role": ["mp", "fixed"]}, "text": "Please reply."},
        {"text": "Thank you."},
    ]
    data["talking_points"].append(
        {"id": "mps", "label": "MPs", "phrasings": ["Only for MPs."], "when": {"role": ["mp"]}}
    )
    campaign = from_dict(data)
    minister = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    people = [*bundled().recipients(SOUTHWARK, campaign.targets), minister]
    result = by_role(write(campaign, SOUTHWARK, ("a", "mps"), recipients=people))
    assert "Please reply." in result["mp"].body and "Please reply." in result["fixed"].body
    assert "Thank you." in result["police_force"].body
    assert "Only for MPs." in result["mp"].body
    assert "Only for MPs." not in result["police_force"].body + result["fixed"].body
    # Offered at the place: the role picks letters, not whether the point is offered.
    assert campaign.offered({"nation": "england"}).point("mps") is not None


def test_pools_draw_among_the_entries_that_match():
    data = doc(
        subject_lines=[
            {
                "text": "Stop the cameras in {constituency}",
                "when": {"force.lfr_status": ["deploys"]},
            },
            "About facial recognition",
        ]
    )
    campaign = from_dict(data)
    subjects = {
        place.constituency_name: {
            write(campaign, place, name=f"P{i}")[0].subject for i in range(12)
        }
        for place in (CARDIFF, SEVENOAKS)
    }
    assert subjects["Sevenoaks"] == {"About facial recognition"}
    assert subjects["Cardiff East"] == {
        "Stop the cameras in Cardiff East",
        "About facial recognition",
    }


def test_force_placeholders_read_in_words_and_only_where_there_is_a_value():
    data = doc()
    data["asks"]["police_force"] = [
        {
            "text": "You have used them since {force.first_seen}: {force.what}.",
            "when": {"force.lfr_status": ["deploys"]},
        },
        {"text": "You began in {force.first_seen}.", "when": {"nation": ["england"]}},
        {"text": NOT_START},
    ]
    campaign = from_dict(data)
    sale = by_role(write(campaign, SALE))["police_force"].body
    assert "You have used them since 21 October 2025: Home Office vans in Sale" in sale
    southwark = by_role(write(campaign, SOUTHWARK))["police_force"].body
    assert "since October 2025: fixed cameras in Croydon" in southwark
    # Kent has no first use on record: the England alternative needs it, so the default wins.
    kent = by_role(write(campaign, SEVENOAKS))["police_force"]
    assert "not to start" in kent.body and "{force" not in kent.body
    assert ("asks.police_force", 2) in kent.taken


def test_a_letter_never_cites_one_fact_twice():
    data = doc(
        talking_points=[
            {
                "id": "accuracy",
                "label": "Accuracy",
                "phrasings": [
                    {"text": "At London Bridge a youth worker was held.", "fact": "london-bridge"},
                ],
            },
            {
                "id": "harms",
                "label": "Harms",
                "phrasings": [
                    {"text": "London Bridge: a man wrongly stopped.", "fact": "london-bridge"},
                    {"text": "Ten people were wrongly stopped in 2024-25.", "fact": "met-ten"},
                ],
            },
            {
                "id": "again",
                "label": "Again",
                "phrasings": [{"text": "Again, London Bridge.", "fact": "london-bridge"}],
            },
        ]
    )
    campaign = from_dict(data)
    for i in range(30):
        for letter in write(campaign, SOUTHWARK, ("accuracy", "harms", "again"), name=f"P{i}"):
            cited = sum(
                text in letter.body
                for text in (
                    "youth worker was held",
                    "London Bridge: a man",
                    "Again, London Bridge.",
                )
            )
            assert cited == 1, letter.body
            # The point with another fact keeps its place with that phrasing when needed.
            dropped = [part for part, at in letter.taken if at == -1]
            assert len(dropped) <= 2


def test_without_facts_letters_are_as_before():
    """A campaign with no conditions chooses exactly as before: the example's /2 letters."""
    campaign = from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    for letter in write(campaign, SOUTHWARK, ("accuracy", "cost")):
        assert "I live in Bermondsey and Old Southwark" in letter.body


# --- old files ----------------------------------------------------------------------------------


def test_nation_variants_import_as_conditions_and_write_the_same_letters():
    old = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert old["format"] == "advocacy.campaign/2" and old["variants"]
    campaign = from_dict(old)
    exported = campaign.to_dict()
    assert exported["format"] == "advocacy.campaign/3" and "variants" not in exported
    assert exported["opening"][0]["when"] == {"nation": ["scotland"]}
    assert exported["opening"][-1] == {"text": old["opening"]}
    assert exported["talking_points"][1]["when"] == {"nation": ["england", "wales"]}
    assert from_dict(json.loads(json.dumps(exported))) == campaign
    scotland = Place("AB10 1AB", "Scotland", "S14000061", "Aberdeen South", "S23000009", None)
    mp = by_role(write(campaign, scotland, ("what-is-lfr",)))["mp"]
    assert (
        old["variants"]["scotland"]["opening"].replace("{constituency}", "Aberdeen South")
        in mp.body
    )
    assert old["variants"]["scotland"]["asks"]["mp"] in mp.body
    assert (
        mp.subject.replace("Aberdeen South", "{constituency}")
        in old["variants"]["scotland"]["subject_lines"]
    )
    england = by_role(write(campaign, SOUTHWARK, ("accuracy",)))["mp"]
    assert old["asks"]["mp"] in england.body
    assert (
        england.subject.replace("Bermondsey and Old Southwark", "{constituency}")
        in old["subject_lines"]
    )


def test_first_format_files_and_fixtures_still_import():
    old = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    old["format"] = "advocacy.campaign/1"
    for key in ("nations", "variants"):
        old.pop(key)
    for point in old["talking_points"]:
        point.pop("nations")
    assert from_dict(old).to_dict()["format"] == "advocacy.campaign/3"
    for path in FIXTURES.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and str(data.get("format", "")).startswith("advocacy.campaign"):
            assert from_dict(data).to_dict()["format"] == "advocacy.campaign/3", path


# --- refused at save ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ({"force.lfr_status": ["deployed"]}, "Unknown value for force.lfr_status: 'deployed'"),
        ({"force.colour": ["blue"]}, "Unknown attribute 'force.colour'"),
        ({"weather": ["rain"]}, "Unknown attribute 'weather'"),
        ({"nation": ["cornwall"]}, "Unknown nation 'cornwall'"),
        ({"role": ["mayor"]}, "Unknown role 'mayor'"),
        ({"place.deployments": ["3"]}, "Unknown attribute 'place.deployments'"),
        ({"nation": []}, "at least one value"),
    ],
)
def test_an_unknown_attribute_or_value_is_refused_at_save(when, words):
    data = doc()
    data["asks"]["police_force"][0]["when"] = when
    errors = errors_for(data)
    assert words in " ".join(errors["asks.police_force.0.when"]), errors


def test_a_default_always_exists():
    data = doc()
    data["asks"]["police_force"] = [{"when": {"nation": ["wales"]}, "text": "Welsh."}]
    assert "default" in " ".join(errors_for(data)["asks.police_force.0.when"])
    data["asks"]["police_force"] = [{"text": "First."}, {"text": "Never used."}]
    assert "Only the last" in " ".join(errors_for(data)["asks.police_force.0.when"])
    data = doc(subject_lines=[{"text": "S", "when": {"role": ["mp"]}}])
    assert "at least one entry with no condition" in " ".join(errors_for(data)["subject_lines"])
    data = doc(opening="I live where {force.first_seen} happened.")
    assert "Not every place has {force.first_seen}" in " ".join(errors_for(data)["opening"])


def test_unknown_fact_placeholders_and_fact_names_are_refused():
    data = doc(opening=[{"when": {"nation": ["wales"]}, "text": "{force.colour}"}, {"text": "x"}])
    assert "Unknown placeholder {force.colour}" in " ".join(errors_for(data)["opening.0.text"])
    data = doc()
    data["talking_points"][0]["phrasings"] = [{"text": "x", "fact": "Bad Fact!"}]
    assert "Name the fact" in " ".join(errors_for(data)["talking_points.0.phrasings.0.fact"])


# --- place facts --------------------------------------------------------------------------------

FACTS = {
    "key": "pfa_code",
    "columns": ["deployments", "motion"],
    "rows": {
        "E23000001": {"deployments": "180", "motion": "yes"},
        "W15000003": {"deployments": "70"},
    },
}


def test_place_facts_are_placeholders_and_conditions():
    data = doc(place_facts=FACTS)
    data["asks"]["mp"] = [
        {"when": {"place.motion": ["yes"]}, "text": "Our council voted against them."},
        {"text": "Please act."},
    ]
    data["talking_points"][0]["phrasings"] = [
        {"text": "{force_name} used them {place.deployments} times."},
        "Point A.",
    ]
    campaign = from_dict(data)
    assert campaign.to_dict()["place_facts"] == FACTS
    london = by_role(write(campaign, SOUTHWARK))
    assert "Our council voted against them." in london["mp"].body
    cardiff = by_role(write(campaign, CARDIFF))
    assert "Please act." in cardiff["mp"].body
    seen = {
        p for i in range(20) for p in write(campaign, SEVENOAKS, name=f"P{i}")[0].body.split("\n\n")
    }
    assert "Point A." in seen and not any("{place" in p or "times." in p for p in seen)
    # The value a condition names must be one the facts have.
    data["asks"]["mp"][0]["when"] = {"place.motion": ["no"]}
    assert "Unknown value for place.motion: 'no'" in " ".join(errors_for(data)["asks.mp.0.when"])


def test_place_facts_say_which_codes_have_no_value():
    facts = from_dict(doc(place_facts=FACTS)).place_facts
    missing = facts.missing(["E23000001", "W15000003", "E23000032"])
    assert missing == {"deployments": ["E23000032"], "motion": ["W15000003", "E23000032"]}


def test_conditions_in_words():
    words = conditions.in_words
    assert words({"force.lfr_status": ["deploys", "paused", "trial"]}) == (
        "Only when the police force uses the cameras"
    )
    assert words({"nation": ["wales"]}) == "Only for supporters in Wales"
    assert words({"role": ["mp"], "nation": ["scotland", "northern_ireland"]}) == (
        "Only in letters to the MP, and for supporters in Scotland or Northern Ireland"
    )
    assert words({"place.motion": ["yes"]}) == "Only when the place's motion is “yes”"


def test_the_fill_memo_is_kept_per_what_the_choice_depends_on():
    """The same recipient and placeholder values with other attributes (a force whose status
    changed) is another memo entry: a warm memo never gives the other place's wording."""
    campaign = from_dict(doc())
    book = bundled()
    recipients = book.recipients(SOUTHWARK, campaign.targets)
    values = book.place_values(SOUTHWARK)
    deploys = book.place_attributes(SOUTHWARK)
    assert deploys["force.lfr_status"] == "deploys"
    none = {**deploys, "force.lfr_status": "none"}
    for attributes, said in ((deploys, "stop using"), (none, "not to start"), (deploys, "stop")):
        (force,) = [
            x
            for x in letters(
                campaign, recipients, Sender("Ada"), Choices(("a",)), values, None, attributes
            )
            if x.recipient.role == "police_force"
        ]
        assert said in force.body
    assert len(vars(campaign)["_fills"]) == 2 * len(recipients)
