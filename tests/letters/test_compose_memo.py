"""The filled campaign text a campaign view keeps (compose._Filled): per recipient and place, never
text with a personal placeholder, the same letters as from a fresh campaign, and a bounded memo."""

import dataclasses
import json
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import replace

import pytest
from app_config import settings_for
from places import SEVENOAKS
from places import SOUTHWARK

from advocacy import create_app
from advocacy.letters import compose
from advocacy.letters import delivery
from advocacy.letters.campaign_json import from_dict
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import fill
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Letter
from advocacy.letters.compose import Sender
from advocacy.letters.compose import letters
from advocacy.letters.compose import own_words
from advocacy.letters.compose import signature
from advocacy.letters.recipient import Recipient
from advocacy.letters.recipient import fixed_recipient
from advocacy.places import overrides
from advocacy.places import pipeline
from advocacy.places import roles
from advocacy.places.directory import Directory
from advocacy.places.directory import bundled
from advocacy.places.postcodes import Place
from advocacy.platform import models
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db

POINTS = ("mixed", "plain", "postal", "local")
# Two supporters at one place: everything that is theirs is distinctive enough to search for.
ADA = Sender("Zebulon Quartermaine", "12 Wyvern Mews, London", "SE1 2DL")
BOB = Sender("Philippa Ostrowska", "9 Larkspur Row, London", "SE1 7PB")
ANSWERS = {
    ADA: (("why", "my cat Mittens saw the van"),),
    BOB: (("why", "the Thursday market crowd was scanned"),),
}


def memo_campaign() -> Campaign:
    """Personal placeholders ({supporter_name}, {postcode}) in every kind of text, next to text
    that has only place placeholders; several phrasings of different lengths, for fitting."""
    return from_dict(
        {
            "slug": "memo",
            "title": "Memo",
            "status": "live",
            "subject_lines": [
                "From {supporter_name} in {constituency}",
                "A letter from {constituency}",
                "{postcode}: a letter to {recipient_name}",
            ],
            "opening": "I am {supporter_name} of {postcode}, in {constituency}.",
            "talking_points": [
                {
                    "id": "mixed",
                    "label": "Mixed",
                    "phrasings": [
                        "{supporter_name} asks {recipient_name} to act" + " now" * 30,
                        "Please act, {recipient_name}, for {constituency}.",
                        "Mixed.",
                    ],
                },
                {
                    "id": "plain",
                    "label": "Plain",
                    "phrasings": [
                        "A long point about {force_name}" + " and more" * 25,
                        "Plain {force_name}.",
                        "Mid point." * 6,
                    ],
                },
                {
                    "id": "postal",
                    "label": "Postal",
                    "phrasings": ["Write back to {postcode}" + " please" * 20, "To {postcode}."],
                },
                {
                    "id": "local",
                    "label": "Local",
                    "phrasings": ["In {constituency}" + " we care" * 12, "{country} cares."],
                },
            ],
            "prompts": [{"id": "why", "label": "Why?", "lead_in": "It matters because"}],
            "asks": {
                "mp": "{supporter_name} asks you to vote no.",
                "police_force": "Stop, {force_name}.",
                "police_oversight": "Please ask {force_name}, from {postcode}.",
            },
            "closing": "Thank you, from {supporter_name} ({postcode}).",
        }
    )


def recipients_at(place: Place) -> list[Recipient]:
    minister = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    return [*bundled().recipients(place, ("mp", "police_force", "police_oversight")), minister]


def write(campaign: Campaign, sender: Sender, place: Place = SOUTHWARK, fits=None):
    return letters(
        campaign,
        recipients_at(place),
        sender,
        Choices(POINTS, ANSWERS.get(sender, (("why", f"{sender.name} says so"),))),
        bundled().place_values(place),
        fits,
    )


def personal_values(sender: Sender, recipient: Recipient, place: Place) -> dict[str, str]:
    return {
        **bundled().place_values(place),
        "recipient_name": recipient.name,
        "supporter_name": sender.name.strip(),
        "postcode": sender.postcode or "",
    }


def kept_strings(value: object) -> Iterator[str]:
    """Every string anywhere in a kept value: keys and values, in any container."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Directory):
        return  # what a place's letters were worked out from: reference data, shared by all
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from kept_strings(key)
            yield from kept_strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from kept_strings(item)
    elif dataclasses.is_dataclass(value):
        yield from kept_strings(vars(value))  # the fields and anything kept beside them
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise AssertionError(f"a kept value of a kind this walk doesn't open: {value!r}")


def kept_on(campaign: Campaign) -> list[str]:
    """Every string a campaign object keeps beyond its fields (the memo, nation views...)."""
    names = {f.name for f in dataclasses.fields(campaign)}
    extras = {k: v for k, v in vars(campaign).items() if k not in names}
    return list(kept_strings(extras))


def secrets_of(sender: Sender) -> list[str]:
    """What no kept text may hold: the supporter's name, postcode, address and own words."""
    words = [own_words(text, "It matters because") for _, text in ANSWERS[sender]]
    raw = [text for _, text in ANSWERS[sender]]
    return [sender.name, sender.postcode or "", *sender.address.split(", ")[:1], *words, *raw]


# --- Privacy --------------------------------------------------------------------------------------


def test_each_supporter_gets_their_own_details_and_never_anothers() -> None:
    campaign = memo_campaign()
    first_ada = write(campaign, ADA)
    bobs = write(campaign, BOB)
    ada_again = write(campaign, ADA)  # after Bob's: what was kept for Ada's first is not his
    assert [(x.subject, x.body) for x in ada_again] == [(x.subject, x.body) for x in first_ada]
    personal_subjects = 0
    for sender, other, result in ((BOB, ADA, bobs), (ADA, BOB, ada_again)):
        for letter in result:
            values = personal_values(sender, letter.recipient, SOUTHWARK)
            parts = letter.body.split("\n\n")
            assert parts[1] == fill(campaign.opening, values)
            assert parts[-2] == fill(campaign.closing, values)
            assert parts[-1] == signature(campaign.sign_off, sender)
            assert letter.subject in {fill(s, values) for s in campaign.subject_lines}
            personal_subjects += sender.name in letter.subject or sender.postcode in letter.subject
            for point in campaign.talking_points:
                filled = {fill(text, values) for text in point.phrasings}
                assert len(filled & set(parts)) == 1, point.id
            if letter.recipient.role in campaign.asks:
                assert parts[-3] == fill(campaign.asks[letter.recipient.role], values)
            for secret in secrets_of(other):
                assert secret not in letter.body
                assert secret not in letter.subject
    assert personal_subjects > 0  # a personal subject line was drawn, and filled for each


def test_nothing_personal_is_kept_on_the_campaign() -> None:
    campaign = memo_campaign()
    for sender in (ADA, BOB, ADA):
        write(campaign, sender)
        write(campaign, sender, fits=lambda letter: len(letter.body) < 600)  # shortened too
    kept = kept_on(campaign)
    # The walk finds what is kept, so finding nothing personal in it means something.
    assert any("Bermondsey and Old Southwark" in text for text in kept)
    assert "Plain the Metropolitan Police Service." in kept
    assert "_fills" in vars(campaign)
    for secret in (*secrets_of(ADA), *secrets_of(BOB)):
        leaks = [text for text in kept if secret in text]
        assert leaks == [], secret


def test_a_letters_shared_text_is_never_the_supporters() -> None:
    campaign = memo_campaign()
    write(campaign, ADA)  # warm: Bob's letters come from what Ada's left
    for letter in write(campaign, BOB):
        parts = letter.body.split("\n\n")
        assert f"Dear {letter.recipient.salutation}," in letter.shared
        # Place-only text is shared: the links may keep its encoding.
        assert any(p.startswith(("A long point", "Plain ", "Mid point")) for p in letter.shared)
        assert letter.shared <= {letter.subject, *parts}
        assert letter.shared <= {letter.subject, *letter.stock}
        assert signature(campaign.sign_off, BOB) not in letter.shared
        assert parts[1] not in letter.shared  # the opening names Bob
        for text in letter.shared:
            for secret in (*secrets_of(BOB), *secrets_of(ADA)):
                assert secret not in text, (secret, text)


def test_the_encodings_the_links_keep_are_never_the_supporters(monkeypatch) -> None:
    """delivery keeps the encoding of the text a letter marks shared, and the address and
    subject of a letter whose subject is shared (with their open links): none of it personal."""
    kept: list[str] = []
    real, real_opener = delivery._pct_shared, delivery._kept_opener

    def recording(text: str) -> str:
        kept.append(text)
        return real(text)

    def recording_opener(to: tuple[str, ...], subject: str):
        kept.extend([*to, subject])
        return real_opener(to, subject)

    monkeypatch.setattr(delivery, "_pct_shared", recording)
    monkeypatch.setattr(delivery, "_kept_opener", recording_opener)
    campaign = memo_campaign()
    subjects = set()
    for sender in (ADA, BOB):
        for letter in write(campaign, sender):
            subjects.add(letter.subject)
            # A list as a caller may pass it, a tuple as the pipeline does (the kept opener's).
            addresses = [letter.recipient.email] if letter.recipient.email else []
            for to in (addresses, tuple(addresses)):
                whole, opener = delivery.links_and_open_links(
                    to, letter.subject, letter.body, shared=letter.shared
                )
                assert (whole, opener) == (
                    delivery.links(to, letter.subject, letter.body),
                    delivery.links(to, letter.subject, ""),
                )
    assert any(text.startswith("Dear ") for text in kept)  # the recording saw the kept ones
    assert subjects & set(kept)  # and the kept subjects
    assert any(secret in s for s in subjects for secret in secrets_of(ADA))  # a personal one
    for secret in (*secrets_of(ADA), *secrets_of(BOB)):
        assert [text for text in kept if secret in text] == [], secret


# --- The same letters, warm or fresh --------------------------------------------------------------

SUPPORTERS = [ADA, BOB, Sender("  Cleo Ng ", "", None), Sender("Dev", "Flat 2\n1 Road", "BR8 7RE")]
BUDGETS = (None, 900, 700, 400)  # None: no fitting; 400: nothing fits, all at their shortest


def fitting(budget: int | None, calls: list[int]):
    if budget is None:
        return None

    def fits(letter: Letter) -> bool:
        calls.append(1)
        return len(letter.subject) + len(letter.body) <= budget

    return fits


def drawn(result: list[Letter]) -> list[tuple]:
    return [(x.recipient, x.subject, x.body, x.stock) for x in result]


def test_letters_from_a_warm_memo_are_those_from_a_fresh_campaign() -> None:
    warm = memo_campaign()
    cases = [(s, p, b) for s in SUPPORTERS for p in (SOUTHWARK, SEVENOAKS) for b in BUDGETS]
    calls: list[int] = []
    for sender, place, budget in cases:  # warm it with every case first
        write(warm, sender, place, fitting(budget, calls))
    pairs = len(recipients_at(SOUTHWARK)) + len(recipients_at(SEVENOAKS))
    assert len(vars(warm)["_fills"]) == pairs  # one entry per recipient and place
    calls.clear()
    shortened = 0
    for sender, place, budget in cases:
        fresh = replace(warm)
        assert "_fills" not in vars(fresh)
        got = write(warm, sender, place, fitting(budget, calls))
        assert drawn(got) == drawn(write(fresh, sender, place, fitting(budget, calls)))
        reloaded = from_dict(json.loads(json.dumps(warm.to_dict())))
        assert drawn(got) == drawn(write(reloaded, sender, place, fitting(budget, calls)))
        shortened += drawn(got) != drawn(write(memo_campaign(), sender, place))
    assert shortened > 0  # the fitting loop did shorten letters, warm and fresh alike
    fitted = 3 * sum(budget is not None for _, _, budget in cases) * len(recipients_at(SOUTHWARK))
    assert len(calls) > fitted  # more than one try a letter: the loop went round


def test_a_letter_fitted_twice_in_a_row_is_the_same() -> None:
    """The fitting loop reuses the kept lists of options: it must not change them."""
    campaign = memo_campaign()
    first = write(campaign, BOB, fits=fitting(500, []))
    roomy = write(campaign, BOB)
    second = write(campaign, BOB, fits=fitting(500, []))
    assert drawn(first) == drawn(second)
    assert drawn(roomy) == drawn(write(memo_campaign(), BOB))


# --- The memo's bound -----------------------------------------------------------------------------


def test_the_memo_keeps_at_most_kept_fills_recipient_places(monkeypatch) -> None:
    monkeypatch.setattr(compose, "KEPT_FILLS", 3)
    campaign = memo_campaign()
    sizes = []
    for i in range(12):
        place = (SOUTHWARK, SEVENOAKS)[i % 2]
        who = fixed_recipient(f"Person {i}", f"p{i}@example.org", None, None)
        result = letters(campaign, [who], BOB, Choices(POINTS), bundled().place_values(place))
        fresh = memo_campaign()
        expected = letters(fresh, [who], BOB, Choices(POINTS), bundled().place_values(place))
        assert drawn(result) == drawn(expected)
        sizes.append(len(vars(campaign)["_fills"]))
    assert max(sizes) == 3  # reached, never passed
    assert min(sizes) >= 1  # and the memo goes on keeping after it starts again
    # Several recipients in one call: still bounded.
    many = [fixed_recipient(f"Many {i}", None, None, None) for i in range(7)]
    letters(campaign, many, ADA, Choices(POINTS), bundled().place_values(SOUTHWARK))
    assert 1 <= len(vars(campaign)["_fills"]) <= 3


# --- A saved campaign is a new view ---------------------------------------------------------------


def test_a_new_campaign_object_gives_its_own_text_after_the_old_one_was_warm() -> None:
    old = memo_campaign()
    for sender in (ADA, BOB):
        write(old, sender)
    points = tuple(
        replace(p, phrasings=tuple(f"New {p.id} in {{constituency}}, {i}." for i in range(2)))
        for p in old.talking_points
    )
    new = replace(
        old,
        subject_lines=("New subject for {constituency}",),
        opening="New opening in {constituency}.",
        talking_points=points,
        asks={role: f"New ask of {{force_name}} for {role}." for role in old.asks},
        closing="New closing.",
    )
    for letter in write(new, BOB):
        parts = letter.body.split("\n\n")
        assert letter.subject == "New subject for Bermondsey and Old Southwark"
        assert parts[1] == "New opening in Bermondsey and Old Southwark."
        assert parts[-2] == "New closing."
        assert all(p.startswith("New ") for p in parts[3:-3])
        assert "Zebulon" not in letter.body and "Please act" not in letter.body
    assert [x.body for x in write(old, BOB)] != [x.body for x in write(new, BOB)]


SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
BY_AREA = {
    "constituency_code": "E14001085",
    "pfa_code": "E23000001",
    "name": "Zebulon Quartermaine",
    "address": "12 Wyvern Mews, London",
    "talking_points": ["accuracy", "cost"],
    "answers": {"why": "my cat Mittens saw the van"},
}


def cached_campaign(app) -> Campaign:
    """The campaign object this worker keeps between requests."""
    return app.extensions[models.CAMPAIGNS][SLUG][1]


def test_a_campaign_saved_in_the_studio_writes_its_new_text_at_once(tmp_path) -> None:
    """Between database checks a worker keeps its campaign object, and the fills with it: a
    save on this worker must still show in the very next letter."""
    app = create_app(settings_for(tmp_path / "memo.sqlite", CACHE_CHECK_SECONDS=3600))
    client = app.test_client()
    before = client.post(LETTERS, json=BY_AREA).get_json()["letters"]
    assert "I live in Bermondsey and Old Southwark" in before[0]["body"]
    warm = cached_campaign(app)
    assert client.post(LETTERS, json=BY_AREA).get_json()["letters"] == before
    assert cached_campaign(app) is warm  # the same object, so its fills were used
    kept = kept_on(warm)
    assert any("Bermondsey and Old Southwark" in text for text in kept)
    for secret in ("Zebulon", "Quartermaine", "Wyvern", "Mittens"):
        assert [text for text in kept if secret in text] == [], secret
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        new = replace(row.to_campaign(), opening="As a voter in {constituency}, I object.")
        assert store.save(row, new, "editor@example.org", row.version)
    after = client.post(LETTERS, json=BY_AREA).get_json()["letters"]
    for letter in after:
        assert "As a voter in Bermondsey and Old Southwark, I object." in letter["body"]
        assert "I live in Bermondsey" not in letter["body"]
    assert cached_campaign(app) is not warm


def app_opening_with(tmp_path, opening: str):
    """An app whose workers keep their campaign object for an hour, the example campaign
    saved with this opening."""
    app = create_app(settings_for(tmp_path / "kept.sqlite", CACHE_CHECK_SECONDS=3600))
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        new = replace(row.to_campaign(), opening=opening)
        assert store.save(row, new, "editor@example.org", row.version)
    return app


def test_a_directory_correction_reaches_the_kept_text_at_once(tmp_path) -> None:
    """The fills are kept per recipient and place: a corrected MP is another recipient, so the
    next letter fills the campaign's text with the corrected name, in the worker that saved it,
    even though its campaign object (and so its fills) is kept for an hour."""
    app = app_opening_with(tmp_path, "I am writing to {recipient_name} as a voter.")
    client = app.test_client()
    mp = client.post(LETTERS, json=BY_AREA).get_json()["letters"][0]
    assert mp["recipient"]["role"] == "mp"
    old_name = mp["recipient"]["name"]
    assert f"I am writing to {old_name} as a voter." in mp["body"]
    warm = cached_campaign(app)
    with app.app_context():
        overrides.save("mp", BY_AREA["constituency_code"], {"name": "Ada Corrected"}, "editor")
    mp = client.post(LETTERS, json=BY_AREA).get_json()["letters"][0]
    assert cached_campaign(app) is warm  # the same campaign object and memo
    assert "I am writing to Ada Corrected as a voter." in mp["body"]
    assert f"I am writing to {old_name}" not in mp["body"]  # (the greeting has its own field)


def test_a_corrected_body_name_reaches_the_places_kept_values_at_once(tmp_path) -> None:
    """A place's placeholders are kept per campaign object and place (``pipeline._here``),
    for the directory they came from: a corrected force name is in the next letter from that
    place."""
    app = app_opening_with(tmp_path, "I write to {force_name} from {constituency}.")
    client = app.test_client()
    before = client.post(LETTERS, json=BY_AREA).get_json()["letters"]
    assert "I write to the Metropolitan Police Service from Bermondsey" in before[0]["body"]
    warm = cached_campaign(app)
    with app.app_context():
        overrides.save("police_force", BY_AREA["pfa_code"], {"name": "Corrected Police"}, "ed")
    after = client.post(LETTERS, json=BY_AREA).get_json()["letters"]
    assert cached_campaign(app) is warm  # the same campaign object, and what it keeps
    for letter in after:
        assert "Corrected Police from Bermondsey and Old Southwark." in letter["body"]
        assert "Metropolitan" not in letter["body"]


def test_a_place_is_worked_out_once_for_all_its_postcodes(tmp_path, monkeypatch) -> None:
    """Supporters at one constituency and force share what their letters need of the place,
    whatever their postcode; another place gets its own, and past ``KEPT_PLACES`` the
    campaign object starts again rather than keep more."""
    app = create_app(settings_for(tmp_path / "places.sqlite"))
    with app.test_request_context():
        campaign = models.live_campaign(SLUG)
        here = pipeline._here(campaign, SOUTHWARK)
        assert pipeline._here(campaign, replace(SOUTHWARK, postcode="SE1 7PB")) is here
        assert here.values["constituency"] == "Bermondsey and Old Southwark"
        there = pipeline._here(campaign, SEVENOAKS)
        assert there is not here
        assert there.values["constituency"] == "Sevenoaks"
        assert there.values["force_name"] != here.values["force_name"]
        monkeypatch.setattr(pipeline, "KEPT_PLACES", 2)
        pipeline._here(campaign, replace(SEVENOAKS, constituency_code="E14001172"))
        assert pipeline._here(campaign, SOUTHWARK) is not here  # worked out again
        assert len(vars(campaign)["_places"][1]) == 2


def test_a_places_recipients_are_found_once_when_their_roles_read_only_its_areas(
    tmp_path, monkeypatch
) -> None:
    """The bundled roles find a recipient by the place's constituency or force area, which
    ``_here`` keys places by: found once for all the place's postcodes. A deployment's role
    that finds its recipient by a function of its own may read more, and is asked each time."""
    asked: list[Place] = []
    real = Directory.recipients

    def counting(self, place, targets, fixed=()):
        asked.append(place)
        return real(self, place, targets, fixed)

    monkeypatch.setattr(Directory, "recipients", counting)
    app = create_app(settings_for(tmp_path / "people.sqlite"))
    with app.test_request_context():
        campaign = models.live_campaign(SLUG)
        choices = Choices(tuple(p.id for p in campaign.talking_points[:2]), ())
        wrote = [
            [d.letter.recipient for d in pipeline.drafts(campaign, place, ADA, choices)]
            for place in (SOUTHWARK, replace(SOUTHWARK, postcode="SE1 7PB"), SOUTHWARK)
        ]
        assert wrote[0] == wrote[1] == wrote[2]
        assert {r.role for r in wrote[0]} == {"mp", "police_force", "police_oversight"}
        assert len(asked) == 1
        pipeline.drafts(campaign, SEVENOAKS, ADA, choices)
        assert len(asked) == 2  # another place: its own
        mp = roles.get("mp")
        monkeypatch.setitem(roles._REGISTRY, "mp", replace(mp, area=lambda p: p.constituency_code))
        fresh = replace(campaign)  # the same campaign, nothing kept on it yet
        for _ in range(2):
            pipeline.drafts(fresh, SOUTHWARK, ADA, choices)
        assert len(asked) == 4  # asked each time


def test_what_goes_round_the_points_is_kept_only_when_nothing_in_it_is_personal() -> None:
    """Each recipient's greeting, opening, ask and closing are kept with the fills when none
    names the supporter (the example campaign's), and made for each letter when one does."""
    named = memo_campaign()  # its opening, asks and closing name the supporter
    asks = {role: "Please act for {constituency}, {recipient_name}." for role in named.asks}
    plain = replace(named, opening="I write from {constituency}.", closing="Thanks.", asks=asks)
    for campaign, kept in ((plain, True), (named, False)):
        first = write(campaign, ADA)
        frames = [fills[4] for fills in vars(campaign)["_fills"].values()]
        assert frames and all(bool(f) is kept for f in frames)
        assert write(campaign, ADA) == first  # from what was kept, the same letters
        assert [x.body for x in write(campaign, BOB)] != [x.body for x in first]
    frames = [fills[4][0] for fills in vars(plain)["_fills"].values()]
    assert all(f.greeting.startswith("Dear ") and f.opening.endswith("Southwark.") for f in frames)


@pytest.mark.parametrize("name", ["Ann Example", "Zebulon Quartermaine"])
def test_api_letters_name_their_own_supporter_after_anothers(client, name) -> None:
    other = "Philippa Ostrowska"
    assert client.post(LETTERS, json=BY_AREA | {"name": other}).status_code == 200
    for letter in client.post(LETTERS, json=BY_AREA | {"name": name}).get_json()["letters"]:
        assert letter["body"].endswith(f"{name}\n12 Wyvern Mews, London")
        assert other not in letter["body"] and other not in letter["subject"]
