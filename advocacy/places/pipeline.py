"""The supporter's path, shared by the web pages and the API: place → recipients → letters → links.

Views call these functions and turn the domain exceptions into messages or status codes.
"""

from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

from flask import current_app

from advocacy.letters import delivery
from advocacy.letters.campaigns import NATION_NAMES
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import nation_of
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Letter
from advocacy.letters.compose import Sender
from advocacy.letters.compose import letters
from advocacy.letters.letter_request import NO_PLACE
from advocacy.letters.letter_request import chosen
from advocacy.letters.message import N_
from advocacy.letters.message import in_words
from advocacy.letters.recipient import Recipient
from advocacy.letters.recipient import fixed_recipient
from advocacy.places import overrides
from advocacy.places import roles
from advocacy.places.bundled_roles import force_area_code
from advocacy.places.directory import Directory
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.places.postcodes import NOWHERE
from advocacy.places.postcodes import CircuitBreaker
from advocacy.places.postcodes import Place
from advocacy.places.postcodes import PostcodesClient

EXTENSION = "advocacy.places.postcodes"


@dataclass(frozen=True)
class Draft:
    """A letter with the ways to send it."""

    letter: Letter
    to: tuple[str, ...]
    links: delivery.Links
    # The address and subject as the links encoded them: what ``open_links`` are made from.
    opener: delivery.Encoded | None = field(default=None, repr=False, compare=False)

    @cached_property
    def open_links(self) -> delivery.Links:
        """To and subject only: when the full links are too long, the supporter copies the
        body and pastes it into the message these open. Made when first asked for (the API
        always asks; the letters page only for a letter too long for the others)."""
        return delivery.open_links(self.opener)

    @property
    def overrun(self) -> int:
        """How many characters too long for one click (0 or less: it fits), for the studio."""
        return delivery.overrun(self.to, self.letter.subject, self.letter.body)


def init_app(app) -> None:
    """One postcodes.io client (with cache, breaker and bulkhead) per process, shared by its
    threads, configured from settings."""
    from advocacy.platform.cache import TTLCache

    app.extensions[EXTENSION] = PostcodesClient(
        app.config["POSTCODES_IO_URL"],
        timeout=float(app.config["POSTCODES_TIMEOUT"]),
        cache=TTLCache(
            maxsize=int(app.config["POSTCODES_CACHE_SIZE"]),
            ttl=float(app.config["POSTCODES_CACHE_TTL"]),
        ),
        breaker=CircuitBreaker(
            failures=int(app.config["POSTCODES_BREAKER_FAILURES"]),
            cooldown=float(app.config["POSTCODES_BREAKER_COOLDOWN"]),
            slow=float(app.config["POSTCODES_SLOW_SECONDS"]),
        ),
        max_in_flight=int(app.config["POSTCODES_MAX_IN_FLIGHT"]),
    )


def directory() -> Directory:
    """The bundled directory with staff corrections laid over it."""
    return overrides.current()


def find_place(postcode: str) -> Place:
    """:raise postcodes.PostcodeError: invalid, not found, terminated or unavailable."""
    return current_app.extensions[EXTENSION].lookup(postcode)


def chosen_place(constituency_code: str, pfa_code: str) -> Place:
    """:raise directory.UnknownArea: a code that is not in the bundled data."""
    return directory().place_for(constituency_code, pfa_code)


def locate(postcode: str, constituency_code: str | None, pfa_code: str | None) -> Place:
    """The place from a postcode when there is one, else from the areas chosen from the lists.

    :raise postcodes.PostcodeError: from the lookup.
    :raise directory.UnknownArea: neither given, or a code not in the bundled data.
    """
    if postcode.strip():
        return find_place(postcode)
    if not constituency_code and not pfa_code:
        raise UnknownArea("postcode", NO_PLACE)
    return chosen_place(constituency_code or "", pfa_code or "")


def _to(recipient: Recipient) -> tuple[str, ...]:
    """Only the directory's address: never one from the letter's text."""
    return (recipient.email,) if recipient.email else ()


def _draft(
    letter: Letter, links: tuple[delivery.Links, delivery.Encoded | None] | None = None
) -> Draft:
    to = _to(letter.recipient)
    if links is None:
        links = delivery.whole_links(to, letter.subject, letter.body, shared=letter.shared)
    return Draft(letter, to, *links)


def redraft(draft: Draft, subject: str, body: str) -> Draft:
    """The same letter as the supporter edited it, with links rebuilt for the new text."""
    return _draft(Letter(draft.letter.recipient, subject, body, draft.letter.stock))


class NationNotServed(OutsideCoverage):
    """The campaign writes for supporters in other nations only."""

    def __init__(self, campaign: Campaign, country: str | None) -> None:
        self.country = country
        served = in_words([NATION_NAMES[n] for n in campaign.nations if n in NATION_NAMES])
        Exception.__init__(
            self,
            N_(
                "This campaign is for people who live in %(served)s, so it has no letter to "
                "write from %(place)s. If you live in %(served)s, enter the postcode of your home "
                "address there.",
                served=served,
                place=N_(country) if country else N_("this postcode"),
            ),
        )


def place_of(
    campaign: Campaign, postcode: str, constituency_code: str | None, pfa_code: str | None
) -> Place:
    """Where the letters go from: ``NOWHERE`` for a campaign that needs no place (whatever was
    sent), else as ``locate`` finds it."""
    if not campaign.needs_place:
        return NOWHERE
    return locate(postcode, constituency_code, pfa_code)


def for_place(campaign: Campaign, place: Place) -> Campaign:
    """The campaign as supporters at ``place`` see it: the points offered there (by their
    nation, their force's and their place's facts).

    :raise NationNotServed: the campaign writes for other nations only.
    """
    return _here(campaign, place).campaign


def place_facts(campaign: Campaign, place: Place) -> dict[str, str]:
    """The campaign's own facts at ``place``: ``{"place.<column>": value}``."""
    return campaign.place_facts.at(force_area_code(place), place.constituency_code)


@dataclass(frozen=True)
class _Here:
    """A campaign at one place, as every letter from there needs it. Never changed once made."""

    campaign: Campaign  # as offered there (``for_place``)
    values: dict[str, str]  # the place's placeholders, in the campaign's language
    asked: dict[str, str]  # what its conditions ask of the place
    book: Directory  # the directory all of it came from
    # Whom the campaign writes to there, once asked (``recipients``), when its roles allow.
    kept: dict[str, list[Recipient]] = field(default_factory=dict, compare=False, repr=False)

    def recipients(self, place: Place) -> list[Recipient]:
        """``Directory.recipients`` for the campaign at ``place``, worked out once when every
        target's role finds its recipient by what ``_here`` keys places by (its areas, never
        the postcode); a deployment's role that reads more is asked every time.

        :raise OutsideCoverage: the place has no constituency.
        """
        found = self.kept.get("recipients")
        if found is None:
            campaign = self.campaign
            fixed = fixed_recipients(campaign)
            found = self.book.recipients(place, campaign.targets, fixed)
            if all(_by_areas(key) for key in campaign.targets):
                self.kept["recipients"] = found
        return found


# What ``_here`` keys a place by; roles whose area is one of these (or a function known to read
# only them) find the same recipients for every place with that key.
_KEY = ("country", "constituency_code", "constituency_name", "pfa_code")
_READS_THE_KEY = (*_KEY, force_area_code)


def _by_areas(target: str) -> bool:
    role = roles.get(target)
    return role is None or role.area in _READS_THE_KEY


# Places whose ``_Here`` a campaign object keeps; past this it starts again. The bundled
# directory has 650 constituencies, a few of them in two force areas.
KEPT_PLACES = 1024


def _here(campaign: Campaign, place: Place) -> _Here:
    """``_Here`` for the campaign at ``place``. Every supporter at a place shares it, so it is
    kept on the campaign object (a save makes a new one) with the directory it came from (a
    staff correction makes a new one, and it starts again), by the place's areas: nothing in
    it reads the postcode.

    :raise NationNotServed: the campaign writes for other nations only.
    """
    nation = nation_of(place.country)
    if nation is not None and nation not in campaign.nations:
        raise NationNotServed(campaign, place.country)
    book = directory()
    kept = vars(campaign).get("_places")
    if kept is None or kept[0] is not book or len(kept[1]) >= KEPT_PLACES:
        kept = vars(campaign)["_places"] = (book, {})
    # _KEY, spelt out: a tuple made field by field costs more on every request.
    key = (place.country, place.constituency_code, place.constituency_name, place.pfa_code)
    here = kept[1].get(key)
    if here is None:
        facts = place_facts(campaign, place)
        asked = book.place_attributes(place) | facts
        offered = campaign if nation is None else campaign.offered(asked)
        values = book.place_values(place, campaign.language) | facts
        here = kept[1][key] = _Here(offered, values, asked, book)
    return here


def fixed_recipients(campaign: Campaign) -> list[Recipient]:
    return [
        fixed_recipient(r.name, r.email, r.contact_url, r.salutation)
        for r in campaign.fixed_recipients
    ]


def drafts(
    campaign: Campaign,
    place: Place,
    sender: Sender,
    choices: Choices,
    wanted: tuple[str, ...] | None = None,
) -> list[Draft]:
    """Every letter this supporter should send, with links: to those ``wanted`` names (roles
    and fixed-recipient ids, ``letter_request.choice_id``), or to everyone when it is None.

    :raise directory.OutsideCoverage: nobody to write to at this place, or the campaign does
        not write for its nation (``NationNotServed``).
    """
    here = _here(campaign, place)
    campaign = here.campaign
    recipients = [r for r in here.recipients(place) if chosen(r, wanted)]
    sender = Sender(sender.name, sender.address, place.postcode)

    # The links built to see whether a letter fits are the ones it is sent with: a letter is
    # encoded once. Kept for this call only, never beyond the request, by the letter object
    # (which stays here with them: its id is not reused while it does).
    built: dict[int, tuple[Letter, tuple[delivery.Links, delivery.Encoded | None]]] = {}
    own: dict[str, str] = {}  # their own words and signature, encoded once for every letter

    def fits(letter: Letter) -> bool:
        to = _to(letter.recipient)
        links = delivery.whole_links(to, letter.subject, letter.body, shared=letter.shared, own=own)
        built[id(letter)] = (letter, links)
        return not links[0].too_long

    return [
        _draft(letter, built[id(letter)][1] if id(letter) in built else None)
        for letter in letters(campaign, recipients, sender, choices, here.values, fits, here.asked)
    ]
