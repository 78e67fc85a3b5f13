"""The product's promise: with the example campaign, its default points and two short answers,
every send button opens the whole letter, for every MP in the country."""

from urllib.parse import unquote

import pytest

from advocacy.letters import delivery
from advocacy.letters.campaigns import nation_of
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.places import pipeline
from advocacy.platform.models import live_campaign

SLUG = "stop-facial-recognition"
# Two short answers of 150 characters, as a supporter in a hurry writes them.
WHY = (
    "I walk my children to school past the station every morning, and I do not want our "
    "faces scanned and checked by police cameras without any law that allows it."
)[:150]
LOCAL = (
    "the high street outside the station, where the Saturday market and the football "
    "crowds gather, and the bus station at the end of my road by the school"
)[:150]
NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
SENDER = Sender("Alexandra Montgomery-Fitzwilliam", "Flat 12, 145 Wellington Road North")


def fields(url: str) -> dict[str, str]:
    """A link's decoded fields: unquote, not unquote_plus (a + is a plus)."""
    query = url.split("?", 1)[1]
    return {k: unquote(v) for k, v in (pair.split("=", 1) for pair in query.split("&"))}


def decoded(kind: str, url: str) -> tuple[str, str, str]:
    """(address, subject, body) of a link as the mail client reads it."""
    if kind == "mailto":
        address = unquote(url.removeprefix("mailto:").split("?", 1)[0])
        f = fields(url)
        return address, f["subject"], f["body"].replace("\r\n", "\n")
    spec = delivery.WEBMAIL[kind]
    assert url.startswith(spec.base)
    f = fields(url)
    return f[spec.to], f[spec.subject], f[spec.body]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app_config import settings_for

    from advocacy import create_app

    return create_app(settings_for(tmp_path_factory.mktemp("db") / "one-click.sqlite"))


def mp_letters(campaign, book, force_for) -> list:
    """The MP letter for every constituency, with the default points and two long answers;
    ``force_for`` picks the force area for a nation."""
    answers = tuple((p.id, text) for p, text in zip(campaign.prompts, (WHY, LOCAL), strict=False))
    out = []
    for con in book.constituencies.values():
        place = book.place_for(con.code, force_for(con.country).code)
        # The points a supporter there finds ticked.
        shown = campaign.for_nation(nation_of(place.country)).talking_points
        choices = Choices(tuple(p.id for p in shown if p.default_selected), answers)
        drafts = pipeline.drafts(campaign, place, SENDER, choices)
        out.append(next(d for d in drafts if d.letter.recipient.role == "mp"))
    return out


@pytest.fixture(scope="module")
def every_mp_letter(app):
    """The MP letter for every constituency, with the longest-named force of its nation."""
    with app.app_context():
        campaign = live_campaign(SLUG)
        book = pipeline.directory()
        longest = {}  # nation → its force area with the longest force name
        for area in book.force_areas.values():
            country = NATIONS.get(area.code[0])
            best = longest.get(country)
            if country and (best is None or len(area.force.name) > len(best.force.name)):
                longest[country] = area
        return campaign, mp_letters(campaign, book, longest.__getitem__)


@pytest.fixture(scope="module")
def every_mp_letter_with_the_wordiest_force(app):
    """The MP letter for every constituency, with the force of its nation whose letters say
    most about it: the opening tells what a force that used the cameras did, and the ask
    names it (issue 24), so a force that deploys makes a longer letter than a long name."""
    with app.app_context():
        campaign = live_campaign(SLUG)
        book = pipeline.directory()
        some = {}  # nation → one of its constituencies
        for con in book.constituencies.values():
            some.setdefault(con.country, con.code)
        wordiest = {}
        for area in book.force_areas.values():
            country = NATIONS.get(area.code[0])
            if country is None:
                continue
            place = book.place_for(some[country], area.code)
            drafts = pipeline.drafts(campaign, place, SENDER, Choices(()))
            size = len(next(d for d in drafts if d.letter.recipient.role == "mp").letter.body)
            if size > wordiest.get(country, (0, None))[0]:
                wordiest[country] = (size, area)
        return mp_letters(campaign, book, lambda nation: wordiest[nation][1])


def test_the_example_ticks_three_points_by_default_in_each_nation(every_mp_letter):
    campaign, _ = every_mp_letter
    for nation in campaign.nations:
        ticked = [p for p in campaign.for_nation(nation).talking_points if p.default_selected]
        assert len(ticked) == 3, nation


def test_every_mp_letter_opens_whole_from_every_button(every_mp_letter):
    _, drafts = every_mp_letter
    assert len(drafts) == 650
    with_email = [d for d in drafts if d.to]
    assert len(with_email) > 600  # a few MPs publish no address: they get their contact page
    for draft in with_email:
        letter = draft.letter
        assert not draft.links.too_long, (letter.recipient.name, draft.overrun)
        for kind, url in draft.links.as_dict().items():
            assert url is not None and len(url) <= delivery.BUDGETS[kind], kind
            assert decoded(kind, url) == (draft.to[0], letter.subject, letter.body), kind


def test_every_mp_letter_opens_whole_with_the_wordiest_force(
    every_mp_letter_with_the_wordiest_force,
):
    drafts = every_mp_letter_with_the_wordiest_force
    assert len(drafts) == 650
    assert any("has used live facial recognition:" in d.letter.body for d in drafts)
    for draft in (d for d in drafts if d.to):
        letter = draft.letter
        assert not draft.links.too_long, (letter.recipient.name, draft.overrun)
        for kind, url in draft.links.as_dict().items():
            assert url is not None and len(url) <= delivery.BUDGETS[kind], kind
            assert decoded(kind, url) == (draft.to[0], letter.subject, letter.body), kind
        assert WHY.rstrip(".") in letter.body and LOCAL in letter.body


def test_every_default_letter_is_short_and_keeps_the_supporters_words(every_mp_letter):
    _, drafts = every_mp_letter
    lengths = sorted(len(d.letter.body) for d in drafts)
    assert lengths[-1] <= 1100, lengths[-5:]
    for draft in drafts:
        body = draft.letter.body
        assert WHY.rstrip(".") in body and LOCAL in body
        assert body.count("reply") == 1, "the reply is asked for once"
