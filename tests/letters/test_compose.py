"""Tests for advocacy.letters.compose with the example campaign and real recipients from the
directory."""

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from places import SOUTHWARK

from advocacy.letters import campaigns
from advocacy.letters.campaign_json import from_dict
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import alternatives
from advocacy.letters.campaigns import as_alternative
from advocacy.letters.campaigns import choose
from advocacy.letters.campaigns import fill
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Draws
from advocacy.letters.compose import Letter
from advocacy.letters.compose import Sender
from advocacy.letters.compose import attributes_of
from advocacy.letters.compose import clean_text
from advocacy.letters.compose import letters
from advocacy.letters.compose import own_share
from advocacy.letters.compose import own_words
from advocacy.letters.compose import seed
from advocacy.letters.recipient import Recipient
from advocacy.letters.recipient import fixed_recipient
from advocacy.places.directory import bundled

EXAMPLE = Path(campaigns.__file__).parent.parent / "example_campaign.json"
# The Met deploys the cameras, so its letters open with what it did (the example's place facts).
OPENING = (
    "I live in Bermondsey and Old Southwark, policed by the Metropolitan Police Service, which "
    "has used live facial recognition: vans since 2020, and fixed cameras in Croydon since "
    "October 2025."
)
# A force that deploys is asked to stop, and its MP to press for that (issue 24).
MP_ASK = (
    "Please press for the Police Reform Bill to ban these cameras, or at least require "
    "independent approval for each use, and ask the Metropolitan Police Service to stop using "
    "them until then."
)
DEFAULT_POINTS = ("what-is-lfr", "accuracy", "no-legal-basis")
WHY = "My daughter goes to school next to the station where the van parks."
LOCAL = "London Bridge station and Borough Market."
# The local answer as the letter has it: after the prompt's lead-in.
LOCAL_IN_LETTER = (
    "Near me, these cameras could be used at London Bridge station and Borough Market."
)


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def recipients(campaign: Campaign) -> list[Recipient]:
    return bundled().recipients(SOUTHWARK, campaign.targets)


def place_values(campaign: Campaign) -> dict[str, str]:
    """Southwark's placeholder values as the pipeline gives them: the directory's and the
    campaign's own place facts."""
    facts = campaign.place_facts.at(SOUTHWARK.pfa_code, SOUTHWARK.constituency_code)
    return bundled().place_values(SOUTHWARK) | facts


@pytest.fixture(scope="module")
def values(campaign: Campaign) -> dict[str, str]:
    return place_values(campaign)


def chosen_ask(campaign: Campaign, role: str, values: dict[str, str]) -> str:
    """The ask a letter to ``role`` takes at the place of ``values``, filled."""
    text = campaign.asks[role]
    index = choose(text, attributes_of(values) | {"role": role})
    return fill(alternatives(text)[index].text, values)


def write(
    campaign: Campaign,
    recipients: list[Recipient],
    *,
    name: str = "Ada Lovelace",
    address: str = "1 High Street, London",
    postcode: str | None = "SE1 2DL",
    points: tuple[str, ...] = DEFAULT_POINTS,
    answers: tuple[tuple[str, str], ...] = (("why", WHY), ("local", LOCAL)),
) -> list[Letter]:
    return letters(
        campaign,
        recipients,
        Sender(name, address, postcode),
        Choices(points, answers),
        place_values(campaign),
    )


def paragraphs(letter: Letter) -> list[str]:
    return letter.body.split("\n\n")


def phrasings_in(body: str, campaign: Campaign, point_id: str, values: dict) -> list[str]:
    point = campaign.point(point_id)
    texts = (fill(as_alternative(p).text, values) for p in point.phrasings)
    return [text for text in texts if text in body]


# --- recipients ----------------------------------------------------------------------------------


def test_recipients_are_the_met_set(recipients: list[Recipient]) -> None:
    assert [(r.role, r.name) for r in recipients] == [
        ("mp", "Neil Coyle"),
        ("police_oversight", "Mayor's Office for Policing and Crime (Mayor of London)"),
        ("police_force", "Metropolitan Police Service"),
    ]


def test_one_letter_per_recipient_in_order(campaign: Campaign, recipients: list[Recipient]):
    home_secretary = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    everyone = [*recipients, home_secretary]
    result = write(campaign, everyone)
    assert [letter.recipient for letter in result] == everyone


def test_no_recipients_no_letters(campaign: Campaign) -> None:
    assert write(campaign, []) == []


@pytest.mark.parametrize(
    ("index", "greeting"),
    [(0, "Dear Neil Coyle,"), (1, "Dear Deputy Mayor,"), (2, "Dear Commissioner,")],
)
def test_greeting(campaign: Campaign, recipients: list[Recipient], index: int, greeting: str):
    assert paragraphs(write(campaign, recipients)[index])[0] == greeting


def test_fixed_recipient_greeting(campaign: Campaign) -> None:
    minister = fixed_recipient("Rt Hon A Person MP", "a@example.org", None, "Home Secretary")
    (letter,) = write(campaign, [minister])
    assert paragraphs(letter)[0] == "Dear Home Secretary,"


# --- determinism and variation -------------------------------------------------------------------


def test_same_input_same_letters(campaign: Campaign, recipients: list[Recipient]) -> None:
    first = write(campaign, recipients)
    second = write(campaign, recipients)
    assert [(x.subject, x.body) for x in first] == [(x.subject, x.body) for x in second]
    # A campaign loaded afresh (a new process, say) gives the same letters too.
    again = from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert write(again, recipients) == first


def test_known_seed(campaign: Campaign) -> None:
    """The seed is a pure function of its inputs; no process-specific hashing gets in."""
    sender = Sender("Ada Lovelace", "1 High Street", "SE1 2DL")
    choices = Choices(("accuracy", "cost"), (("why", "x"),))
    digest = seed(campaign, sender, choices)
    assert len(digest) == 64
    assert digest == seed(campaign, Sender(" ADA LOVELACE ", "elsewhere", "SE1 2DL"), choices)
    assert digest == seed(campaign, sender, Choices(("cost", "accuracy"), (("why", "x"),)))
    assert digest != seed(campaign, sender, Choices(("accuracy",), (("why", "x"),)))
    assert digest != seed(campaign, sender, Choices(("accuracy", "cost"), (("why", "y"),)))
    assert digest != seed(campaign, replace(sender, postcode="SE1 2DM"), choices)
    assert digest != seed(replace(campaign, slug="other"), sender, choices)


def test_order_of_chosen_points_does_not_matter(campaign: Campaign, recipients: list[Recipient]):
    forwards = write(campaign, recipients, points=DEFAULT_POINTS)
    backwards = write(campaign, recipients, points=tuple(reversed(DEFAULT_POINTS)))
    assert forwards == backwards


def test_letters_vary_between_supporters(campaign: Campaign, recipients: list[Recipient]):
    names = [f"Supporter Number {i}" for i in range(20)]
    mp_letters = [write(campaign, recipients, name=name)[0] for name in names]
    # Leave out the signature, which holds the name, so that only the drawn text counts.
    drawn = {"\n\n".join(paragraphs(letter)[:-1]) for letter in mp_letters}
    assert len(drawn) >= 5
    assert len({letter.subject for letter in mp_letters}) >= 2


def test_letters_vary_between_recipients(campaign: Campaign, recipients: list[Recipient]):
    """Each recipient gets its own draw, so three letters from one supporter are not copies."""
    result = write(campaign, recipients, points=tuple(p.id for p in campaign.talking_points))
    middles = {tuple(paragraphs(letter)[4:-3]) for letter in result}
    assert len(middles) == 3


def test_subject_is_a_filled_subject_line(
    campaign: Campaign, recipients: list[Recipient], values: dict
):
    lines = {fill(as_alternative(line).text, values) for line in campaign.subject_lines}
    assert "Police facial recognition: a letter from Bermondsey and Old Southwark" in lines
    for i in range(10):
        for letter in write(campaign, recipients, name=f"Person {i}"):
            assert letter.subject in lines
            assert "{" not in letter.subject


# --- structure -----------------------------------------------------------------------------------


def test_answers_follow_the_opening(campaign: Campaign, recipients: list[Recipient]) -> None:
    for letter in write(campaign, recipients):
        parts = paragraphs(letter)
        assert parts[0] == f"Dear {letter.recipient.salutation},"
        assert parts[1] == OPENING
        assert parts[2] == WHY
        assert parts[3] == LOCAL_IN_LETTER


def test_answers_keep_the_given_order(campaign: Campaign, recipients: list[Recipient]) -> None:
    (letter, *_) = write(campaign, recipients, answers=(("local", LOCAL), ("why", WHY)))
    assert paragraphs(letter)[2:4] == [LOCAL_IN_LETTER, WHY]


@pytest.mark.parametrize(
    "answers",
    [(), (("why", ""),), (("why", "   \n  "), ("local", "\r\n"))],
    ids=["none", "empty", "blank"],
)
def test_blank_answers_are_left_out(campaign: Campaign, recipients: list[Recipient], answers):
    letter = write(campaign, recipients, answers=answers)[0]
    parts = paragraphs(letter)
    assert parts[1] == OPENING
    assert any(phrasings_in(parts[2], campaign, p, {}) for p in DEFAULT_POINTS)
    assert letter.own_share == 0
    assert "\n\n\n" not in letter.body


def test_multi_paragraph_answer(campaign: Campaign, recipients: list[Recipient]) -> None:
    answer = "First thought.\n\n\n\nSecond thought,\nsame paragraph."
    letter = write(campaign, recipients, answers=(("why", answer),))[0]
    assert paragraphs(letter)[2:4] == ["First thought.", "Second thought,\nsame paragraph."]


@pytest.mark.parametrize(
    "chosen",
    [
        ("accuracy",),
        ("cost", "chilling-effect", "independent-approval"),
        DEFAULT_POINTS,
        (
            "what-is-lfr",
            "accuracy",
            "no-legal-basis",
            "discrimination",
            "bridges-ruling",
            "chilling-effect",
            "independent-approval",
            "cost",
        ),
    ],
)
def test_only_chosen_points(
    campaign: Campaign, recipients: list[Recipient], values: dict, chosen: tuple[str, ...]
) -> None:
    for letter in write(campaign, recipients, points=chosen):
        for point in campaign.talking_points:
            found = phrasings_in(letter.body, campaign, point.id, values)
            if point.id in chosen:
                assert len(found) == 1, (letter.recipient.role, point.id)
            else:
                assert found == [], (letter.recipient.role, point.id)
        # The points come as whole paragraphs straight after the two answers.
        parts = paragraphs(letter)[4 : 4 + len(chosen)]
        made = {
            point_id
            for point_id in chosen
            for part in parts
            if part
            in {fill(as_alternative(p).text, values) for p in campaign.point(point_id).phrasings}
        }
        assert made == set(chosen)


def test_no_points_chosen(campaign: Campaign, recipients: list[Recipient], values: dict) -> None:
    letter = write(campaign, recipients, points=())[0]
    for point in campaign.talking_points:
        assert phrasings_in(letter.body, campaign, point.id, values) == []
    assert paragraphs(letter)[:4] == ["Dear Neil Coyle,", OPENING, WHY, LOCAL_IN_LETTER]
    assert paragraphs(letter)[4] == MP_ASK  # the Met deploys: its MP is asked to stop it


def test_unknown_point_ids_are_ignored(campaign: Campaign, recipients: list[Recipient]) -> None:
    (letter, *_) = write(campaign, recipients, points=("accuracy", "no-such-point"))
    assert len(phrasings_in(letter.body, campaign, "accuracy", {})) == 1
    # Greeting, opening, two answers, one point, ask, closing, signature.
    assert len(paragraphs(letter)) == 8


# --- sign-off ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "address", "postcode", "block"),
    [
        (
            "Ada Lovelace",
            "1 High Street, London",
            "SE1 2DL",
            "Yours sincerely,\nAda Lovelace\n1 High Street, London\nSE1 2DL",
        ),
        ("Ada Lovelace", "", "SE1 2DL", "Yours sincerely,\nAda Lovelace\nSE1 2DL"),
        ("Ada Lovelace", "   ", "SE1 2DL", "Yours sincerely,\nAda Lovelace\nSE1 2DL"),
        ("Ada Lovelace", "1 High Street", None, "Yours sincerely,\nAda Lovelace\n1 High Street"),
        ("  Ada Lovelace  ", "", None, "Yours sincerely,\nAda Lovelace"),
        (
            "Ada",
            "Flat 2\r\n1 High Street",
            "SE1 2DL",
            "Yours sincerely,\nAda\nFlat 2\n1 High Street\nSE1 2DL",
        ),
    ],
)
def test_sign_off_block(
    campaign: Campaign,
    recipients: list[Recipient],
    name: str,
    address: str,
    postcode: str | None,
    block: str,
) -> None:
    for letter in write(campaign, recipients, name=name, address=address, postcode=postcode):
        assert letter.body.endswith("\n\n" + block)
        assert paragraphs(letter)[-1] == block
        assert paragraphs(letter)[-2] == campaign.closing
        assert "\n\n\n" not in letter.body


def test_custom_sign_off(campaign: Campaign, recipients: list[Recipient]) -> None:
    custom = replace(campaign, sign_off="With best wishes,")
    letter = write(custom, recipients, address="", postcode=None)[0]
    assert paragraphs(letter)[-1] == "With best wishes,\nAda Lovelace"


# --- placeholders and the supporter's own text ---------------------------------------------------


def test_placeholders_are_filled(
    campaign: Campaign, recipients: list[Recipient], values: dict
) -> None:
    result = write(campaign, recipients, points=("cost",))
    for letter in result:
        assert paragraphs(letter)[1] == OPENING
        assert "{" not in letter.body
        assert "}" not in letter.body
        cost = {fill(as_alternative(p).text, values) for p in campaign.point("cost").phrasings}
        assert paragraphs(letter)[4] in cost
        # South Wales Police's spending, named as theirs, and the Met asked about its own.
        assert "South Wales Police alone spent" in paragraphs(letter)[4]
        assert "what the Metropolitan Police Service spends" in paragraphs(letter)[4]
    oversight = result[1]
    assert (
        "Please use your oversight of the Metropolitan Police Service to press it to stop"
        in oversight.body
    )


def test_every_placeholder(campaign: Campaign, recipients: list[Recipient]) -> None:
    custom = replace(
        campaign,
        opening=(
            "To {recipient_name} from {supporter_name} of {postcode} in {constituency}, {country}; "
            "{force_name} / {oversight_name}."
        ),
    )
    result = write(custom, recipients, name=" Ada Lovelace ")
    oversight = "Mayor's Office for Policing and Crime (Mayor of London)"
    for letter in result:
        assert paragraphs(letter)[1] == (
            f"To {letter.recipient.name} from Ada Lovelace of SE1 2DL in "
            f"Bermondsey and Old Southwark, England; the Metropolitan Police Service / {oversight}."
        )
    no_postcode = write(custom, recipients, postcode=None)[0]
    assert " of  in Bermondsey" in paragraphs(no_postcode)[1]


@pytest.mark.parametrize(
    "answer",
    [
        "{constituency}",
        "I live in {constituency} and {force_name} should stop. {recipient_name}",
        "{recipient_name.__class__} {0} {} {{x}}",
        "Tom & Jerry <b>bold</b> &amp; \"quoted\" 'single' <script>alert(1)</script>",
        "50% of {{ people }} think ${HOME} is fine \\n",
    ],
)
def test_supporter_text_is_kept_as_written(
    campaign: Campaign, recipients: list[Recipient], answer: str
) -> None:
    for letter in write(campaign, recipients, answers=(("why", answer),)):
        assert paragraphs(letter)[2] == answer + "."  # a full stop added, nothing else


def test_supporter_name_is_kept_as_written(campaign: Campaign, recipients: list[Recipient]):
    custom = replace(campaign, closing="Thank you, from {supporter_name}.")
    for name in ("Tom & Jerry <b>", "{constituency}", "{recipient_name.__class__}"):
        letter = write(custom, recipients, name=name)[0]
        assert paragraphs(letter)[-2] == f"Thank you, from {name}."
        assert paragraphs(letter)[-1].splitlines()[1] == name
        assert "&amp;" not in letter.body
        assert "&lt;" not in letter.body


def test_crlf_in_answers_is_normalised(campaign: Campaign, recipients: list[Recipient]) -> None:
    answer = "Line one\r\nLine two\r\n\r\n\r\nPara two\rend"
    letter = write(campaign, recipients, answers=(("why", answer),))[0]
    assert "\r" not in letter.body
    assert paragraphs(letter)[2:4] == ["Line one\nLine two", "Para two\nend."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("  a  ", "a"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("a\r\n\r\n\r\nb", "a\n\nb"),
        ("\n\na\n\n", "a"),
        ("a\n\nb", "a\n\nb"),
        ("", ""),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_stock_is_everything_but_the_answers(
    campaign: Campaign, recipients: list[Recipient]
) -> None:
    for letter in write(campaign, recipients):
        parts = paragraphs(letter)
        assert letter.stock == tuple(p for p in parts if p not in (WHY, LOCAL_IN_LETTER))
        assert len(letter.stock) == len(parts) - 2
        assert letter.stock[0] == f"Dear {letter.recipient.salutation},"
        assert letter.stock[-1].startswith("Yours sincerely,\nAda Lovelace")


@pytest.mark.parametrize(
    "answers",
    [
        (),
        (("why", "abc"),),
        (("why", "abc"), ("local", "de")),
        (("why", "  abc  "),),
        (("why", "a\r\nb"),),
        (("why", "One.\n\n\nTwo."),),
        (("why", WHY), ("local", LOCAL)),
    ],
)
def test_own_share(campaign: Campaign, recipients: list[Recipient], answers) -> None:
    """The share of the letter, by characters, that the supporter wrote."""
    lead_ins = {p.id: p.lead_in for p in campaign.prompts}
    # An answer's paragraph is the supporter's, lead-in and added full stop included.
    own_text = [own_words(text, lead_ins[key]) for key, text in answers]
    for letter in write(campaign, recipients, answers=answers):
        own = sum(len(part) for text in own_text for part in text.split("\n\n"))
        total = sum(len(part) for part in paragraphs(letter))
        assert letter.own_share == (max(1, round(100 * own / total)) if own else 0)


def test_own_share_of_the_default_letters(campaign: Campaign, recipients: list[Recipient]) -> None:
    assert [letter.own_share for letter in write(campaign, recipients)] == [15, 16, 16]
    assert [letter.own_share for letter in write(campaign, recipients, answers=())] == [0, 0, 0]
    # A few words in a long letter still show: never rounded down to nothing.
    short = write(campaign, recipients, answers=(("why", "abc"),))
    assert [letter.own_share for letter in short] == [1, 1, 1]


def test_own_share_follows_edits(campaign: Campaign, recipients: list[Recipient]) -> None:
    letter = write(campaign, recipients, answers=())[0]
    assert letter.own_share == 0
    parts = paragraphs(letter)
    # The supporter rewrites the opening in the editor; Windows line breaks come back.
    mine = "I have lived near Borough Market for twenty years."
    edited = "\r\n\r\n".join([parts[0], mine, *parts[2:]])
    share = own_share(edited, letter.stock)
    total = sum(len(p) for p in [parts[0], mine, *parts[2:]])
    assert share == round(100 * len(mine) / total)
    assert 0 < share < 100


@pytest.mark.parametrize(
    ("body", "stock", "share"),
    [
        ("", (), 0),
        ("   \n\n  ", (), 0),
        ("mine", (), 100),
        ("stock", ("stock",), 0),
        ("stock\n\nmine", ("stock",), 44),
        ("stock\n \nmine", ("stock",), 44),
        ("  stock  \r\n\r\nmine", ("stock",), 44),
        ("ab\n\nabcdef", ("ab",), 75),
    ],
)
def test_own_share_function(body: str, stock: tuple[str, ...], share: int) -> None:
    assert own_share(body, stock) == share


def test_role_specific_ask(campaign: Campaign, recipients: list[Recipient], values: dict) -> None:
    home_secretary = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    asks = {role: chosen_ask(campaign, role, values) for role in campaign.asks}
    assert asks["mp"] == MP_ASK
    for letter in write(campaign, [*recipients, home_secretary]):
        for role, ask in asks.items():
            assert (ask in letter.body) == (role == letter.recipient.role), (
                letter.recipient.role,
                role,
            )
        if letter.recipient.role in asks:
            # The ask comes just before the closing.
            assert paragraphs(letter)[-3] == asks[letter.recipient.role]


def test_no_ask_for_a_role_means_no_empty_paragraph(
    campaign: Campaign, recipients: list[Recipient]
) -> None:
    custom = replace(campaign, asks={"mp": campaign.asks["mp"]}, closing="")
    result = write(custom, recipients, points=("accuracy",))
    assert paragraphs(result[0])[-2] == MP_ASK
    for letter in result[1:]:
        assert len(paragraphs(letter)) == 2 + 2 + 1 + 1
        assert "" not in paragraphs(letter)


# --- own words, signature and fitting the link budget --------------------------------------------


@pytest.mark.parametrize(
    ("text", "lead_in", "expected"),
    [
        (
            "Brixton high street",
            "Near where I live, cameras could be used at",
            "Near where I live, cameras could be used at Brixton high street.",
        ),
        (
            "The station car park",
            "Cameras could be used at",
            "Cameras could be used at the station car park.",
        ),
        ("THE station", "Cameras could be used at", "Cameras could be used at THE station."),
        (
            "They already used a van outside the tube station last month.",
            "Near me, these cameras could be used at",
            "They already used a van outside the tube station last month.",
        ),
        ("I’d guess the market", "Cameras could be used at", "I’d guess the market."),
        ("there, by the bus stop", "Cameras could be used at", "There, by the bus stop."),
        ("Ithaca Road", "Cameras could be used at", "Cameras could be used at Ithaca Road."),
        (
            "Police station on Brixton Road",
            "Cameras could be used at",
            "Cameras could be used at Police station on Brixton Road.",
        ),
        (
            "IT hub on Old Street",
            "Cameras could be used at",
            "Cameras could be used at IT hub on Old Street.",
        ),
        ("it's the market", "Cameras could be used at", "It's the market."),
        ("I walk past it daily", "", "I walk past it daily."),
        ("Is this legal?", "", "Is this legal?"),
        ("It worries me…", "", "It worries me…"),
        ('He said "no"', "", 'He said "no"'),
        ("  spaced out  \r\n", "", "Spaced out."),
        ("i hate it.", "", "I hate it."),  # a sentence starts with a capital
        ("i hate it", "Why: ", "I hate it."),
        (
            "outside my kids' school",
            "Near me, these cameras could be used at",
            "Near me, these cameras could be used outside my kids' school.",
        ),
        (
            "In Cardiff city centre",
            "Near me, these cameras could be used at",
            "Near me, these cameras could be used in Cardiff city centre.",
        ),
        (
            "near the mosque on Brick Lane",
            "Near me, these cameras could be used at",
            "Near me, these cameras could be used near the mosque on Brick Lane.",
        ),
        ("at the station", "Cameras could be used at", "Cameras could be used at the station."),
        ("", "Cameras could be used at", ""),
    ],
)
def test_own_words_read_as_sentences(text: str, lead_in: str, expected: str) -> None:
    assert own_words(text, lead_in) == expected


@pytest.mark.parametrize(
    ("address", "postcode", "last_line"),
    [
        ("1 High Street, London", "SE1 2DL", "SE1 2DL"),
        ("1 High Street, London SE1 2DL", "SE1 2DL", "1 High Street, London SE1 2DL"),
        ("1 High Street, London se12dl", "SE1 2DL", "1 High Street, London se12dl"),
        ("", "SE1 2DL", "SE1 2DL"),
        ("1 High Street", None, "1 High Street"),
    ],
)
def test_the_signature_names_the_postcode_once(address, postcode, last_line) -> None:
    from advocacy.letters.compose import signature

    lines = signature("Yours sincerely,", Sender("Ada", address, postcode)).splitlines()
    assert lines[-1] == last_line
    assert sum(_compact(line).count("SE12DL") for line in lines) <= 1


def _compact(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def fitting_campaign() -> Campaign:
    """Points with one long and one short phrasing each, and prompts with a lead-in."""
    return from_dict(
        {
            "slug": "fit",
            "title": "Fit",
            "status": "live",
            "subject_lines": ["A rather long subject line for this letter", "Short"],
            "opening": "I live in {constituency}.",
            "talking_points": [
                {
                    "id": f"p{i}",
                    "label": f"Point {i}",
                    "phrasings": [f"Long {i} " + "word " * 40, f"Short {i}.", f"Mid {i} " * 8],
                }
                for i in range(4)
            ],
            "prompts": [{"id": "why", "label": "Why?", "lead_in": "This matters to me because"}],
            "asks": {"mp": "Please act."},
            "closing": "I look forward to your reply.",
        }
    )


def fit_letters(campaign, recipients, budget, name="Ada"):
    return letters(
        campaign,
        recipients,
        Sender(name, "", "SE1 2DL"),
        Choices(("p0", "p1", "p2", "p3"), (("why", "my children walk past it"),)),
        bundled().place_values(SOUTHWARK),
        fits=lambda letter: len(letter.subject) + len(letter.body) <= budget,
    )


def test_a_letter_over_budget_gets_shorter_phrasings_and_keeps_every_point(recipients) -> None:
    campaign = fitting_campaign()
    roomy = fit_letters(campaign, recipients[:1], 10_000)[0]
    tight_budget = len(roomy.subject) + len(roomy.body) - 150
    tight = fit_letters(campaign, recipients[:1], tight_budget)[0]
    assert len(tight.subject) + len(tight.body) <= tight_budget
    for i in range(4):  # every point is still there, in one of its phrasings
        assert any(text.strip() in tight.body for text in campaign.talking_points[i].phrasings)
    assert "This matters to me because my children walk past it." in tight.body
    assert tight == fit_letters(campaign, recipients[:1], tight_budget)[0]  # deterministic


def test_when_nothing_fits_the_letter_is_the_shortest_with_every_word(recipients) -> None:
    campaign = fitting_campaign()
    letter = fit_letters(campaign, recipients[:1], 10)[0]
    assert letter.subject == "Short"
    for i in range(4):
        assert f"Short {i}." in letter.body
    assert "my children walk past it" in letter.body


def test_fitted_letters_still_differ_between_supporters(recipients) -> None:
    campaign = fitting_campaign()
    roomy = fit_letters(campaign, recipients[:1], 10_000)[0]
    budget = len(roomy.subject) + len(roomy.body) - 100
    # The signature differs anyway; what is compared is the text above it.
    bodies = {
        tuple(paragraphs(fit_letters(campaign, recipients[:1], budget, name=f"S{n}")[0])[:-1])
        for n in range(20)
    }
    assert len(bodies) > 5


@given(
    text=st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=60),
    lead_in=st.sampled_from(
        ["", "Near me, these cameras could be used at", "It matters because", "Cameras at"]
    ),
)
def test_own_words_never_lose_a_word_of_theirs(text: str, lead_in: str) -> None:
    """Joining may capitalise their first letter and drop the lead-in's last word, never theirs."""
    out = own_words(text, lead_in).casefold()
    for word in clean_text(text).split():
        # A capitalised first letter may not casefold back ("ı" capitalises to "I", "i").
        capitalised = word[:1].upper() + word[1:]
        assert word.casefold() in out or capitalised.casefold() in out


def test_draws_are_the_texts_own_and_even() -> None:
    """The numbers behind each letter's wording: fixed by the text, spread evenly, and past
    the first block of eight as good as within it."""
    first = Draws("digest:mp:Ann Example")
    numbers = [first.below(1000) for _ in range(40)]  # five blocks
    again = Draws("digest:mp:Ann Example")
    assert [again.below(1000) for _ in range(40)] == numbers
    other = Draws("digest:police_force:Ann Example")
    assert [other.below(1000) for _ in range(40)] != numbers
    assert len(set(numbers)) > 30 and all(0 <= n < 1000 for n in numbers)
    # Each of 3 choices about a third of the time, over 3,000 letters' first draws.
    counts = Counter(Draws(f"supporter {i}").below(3) for i in range(3000))
    assert set(counts) == {0, 1, 2} and all(900 < n < 1100 for n in counts.values())
    orders = Counter()
    for i in range(600):
        items = ["a", "b", "c"]
        Draws(f"supporter {i}").shuffle(items)
        assert sorted(items) == ["a", "b", "c"]
        orders[tuple(items)] += 1
    assert len(orders) == 6 and all(70 < n < 130 for n in orders.values())
