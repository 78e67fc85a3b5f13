"""Letters from a campaign, its recipients and a supporter's choices. Pure: no Flask, no I/O.

MPs' offices discount identical mass emails, so each supporter's letter differs: the subject line,
the phrasing of each talking point and their order are drawn from a seed made of the campaign and
the supporter's own input. The same input always gives the same letter (a reload changes nothing).

Which wording a letter takes is chosen per recipient from what the recipient is (its role, the
supporter's nation, the facts about their police force and place: ``campaigns.choose``), and a
letter never cites one fact twice, whichever points it comes through.
"""

import hashlib
import json
import re
import struct
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import orjson

from advocacy.letters import conditions
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import Text
from advocacy.letters.campaigns import alternatives
from advocacy.letters.campaigns import as_alternative
from advocacy.letters.campaigns import choose
from advocacy.letters.campaigns import eligible
from advocacy.letters.campaigns import fill
from advocacy.letters.campaigns import letter_texts
from advocacy.letters.campaigns import placeholders_in
from advocacy.letters.recipient import Recipient

BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Sender:
    name: str
    address: str = ""
    postcode: str | None = None


@dataclass(frozen=True)
class Choices:
    """What the supporter picked and wrote: talking point ids and answers by prompt id."""

    talking_points: tuple[str, ...]
    answers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Letter:
    recipient: Recipient
    subject: str
    body: str
    # The paragraphs that came from the campaign, not the supporter: what "own words" excludes.
    stock: tuple[str, ...] = ()
    # The subject and paragraphs that are the same for everyone writing to this recipient from
    # this place (stock text with no personal placeholder): safe to keep beyond this letter.
    shared: frozenset[str] = frozenset()
    # Which wording each part took, for the studio's preview: ("opening", 1) is the opening's
    # second alternative, ("talking_points.cost", 2) that point's third phrasing, -1 a point
    # left out because its fact was cited already.
    taken: tuple[tuple[str, int], ...] = ()

    @cached_property  # the letters page asks twice per letter
    def own_share(self) -> int:
        return own_share(self.body, self.stock)


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def own_share(body: str, stock: tuple[str, ...]) -> int:
    """Percent of the letter, by characters, that is not stock campaign text."""
    paragraphs = [text for p in PARAGRAPH_BREAK.split(clean_text(body)) if (text := p.strip())]
    total = sum(map(len, paragraphs))
    stock_set = set(stock)
    own = sum(len(p) for p in paragraphs if p not in stock_set)
    # A sentence of one's own shows as at least 1%, never as nothing.
    return max(1, round(100 * own / total)) if own else 0


def clean_text(text: str) -> str:
    """Supporter text as plain paragraphs: Unix line breaks, no runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    # The search is a tenth of the substitution's cost, which tries a match at every line break.
    return BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text


def seed(campaign: Campaign, sender: Sender, choices: Choices) -> str:
    """A stable digest of everything that makes this supporter's letter theirs."""
    material = [
        campaign.slug,
        sender.name.strip().lower(),
        sender.postcode,
        sorted(choices.talking_points),
        choices.answers,
    ]
    try:
        text = orjson.dumps(material)  # a fifth of the standard library's time
    except orjson.JSONEncodeError:  # a lone surrogate, which the forms never let through
        text = json.dumps(material).encode()
    return hashlib.sha256(text).hexdigest()


# A letter "fits" when every way of sending it carries it whole; the caller knows the links.
Fits = Callable[["Letter"], bool]
# Placeholders that carry the supporter's own details: text with one is filled for each letter
# and never kept.
PERSONAL = frozenset({"supporter_name", "postcode"})
# (recipient, place) pairs whose filled text a campaign view keeps; past this it starts again.
# The bundled directory has about 2,000 (650 constituencies, three recipients each), and each
# keeps only its few texts with placeholders (about 1 KB).
KEPT_FILLS = 4096
ENDS_A_SENTENCE = tuple(".!?…)\"'’”")
# Words that make an answer a sentence of its own, which no lead-in can go before ("They used a
# van outside the station", not "…could be used at They used a van…").
# Only pronouns no place name starts with: not "police" (Police station…), "it" (IT hub…).
STARTS_A_SENTENCE = frozenset(
    ("i", "i'm", "i've", "i'd", "we", "we're", "we've", "they", "they're", "they've", "it's")
    + ("there", "there's")
)
# Words that start an answer but read lower-case after a lead-in ("…used at the station").
LOWER_AFTER_LEAD_IN = frozenset(
    ("a", "an", "the", "my", "our", "outside", "in", "on", "at", "near", "by", "around", "every")
)
# Words that place something: when both the lead-in ends with one and the answer starts with
# one, the answer's wins ("…could be used at" + "outside my school" → "…used outside my school").
PREPOSITIONS = frozenset(
    ("at", "in", "on", "near", "by", "outside", "around", "inside", "beside", "opposite")
    + ("along", "behind", "next", "across", "within", "from", "to", "into", "around")
)


def own_words(text: str, lead_in: str = "") -> str:
    """A supporter's answer as a sentence of the letter: after the prompt's lead-in when it has
    one ("Near where I live, cameras could be used at" + "Brixton high street"), with a full
    stop when it has none of its own. An answer that is a sentence already ("They used a van
    at the station") stands on its own. Their words are otherwise left exactly as written."""
    text = clean_text(text)
    if not text:
        return ""
    first, _, rest = text.partition(" ")
    lead = lead_in.strip()
    if not lead or _bare(first) in STARTS_A_SENTENCE:
        text = text[0].upper() + text[1:]  # a sentence of its own, so it starts as one
    else:
        if first.lower() in LOWER_AFTER_LEAD_IN and first[:1].isupper() and first[1:].islower():
            text = " ".join(filter(None, (first.lower(), rest)))
        before, _, last = lead.rpartition(" ")
        if before and last.lower() in PREPOSITIONS and _bare(first) in PREPOSITIONS:
            lead = before  # their own preposition, not "at outside"
        text = f"{lead} {text}"
    if not text.endswith(ENDS_A_SENTENCE):
        text += "."
    return text


def _bare(word: str) -> str:
    """A word as STARTS_A_SENTENCE lists it: lower case, straight apostrophe, no comma."""
    return word.lower().replace("’", "'").rstrip(",")


def _compact(text: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", text.upper())


_NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]")


def signature(sign_off: str, sender: Sender) -> str:
    """Sign-off, name, address and postcode, without the postcode when the address has it."""
    lines = [sign_off, sender.name.strip(), clean_text(sender.address)]
    postcode = sender.postcode or ""
    if postcode and _compact(postcode) not in _compact(sender.address):
        lines.append(postcode)
    return "\n".join(line for line in lines if line)


def letters(
    campaign: Campaign,
    recipients: Sequence[Recipient],
    sender: Sender,
    choices: Choices,
    place_values: Mapping[str, str],
    fits: Fits | None = None,
    attributes: Mapping[str, str] | None = None,
) -> list[Letter]:
    """One letter per recipient, in the recipients' order.

    ``attributes`` are what conditions ask of the place (``Directory.place_attributes`` and
    the campaign's place facts); without them, they are read from ``place_values``.

    With ``fits``, a letter that doesn't fit gets shorter phrasings (and subject) until it does,
    or until each is the shortest it has: no point the supporter ticked and no word they wrote
    is ever dropped. Which shorter phrasing is still decided by the seed.
    """
    digest = seed(campaign, sender, choices)
    lead_ins = {p.id: p.lead_in for p in campaign.prompts}
    answers = [own_words(text, lead_ins.get(key, "")) for key, text in choices.answers]
    answers = [a for a in answers if a]
    points = [p for p in campaign.talking_points if p.id in set(choices.talking_points)]
    personal = {"supporter_name": sender.name.strip(), "postcode": sender.postcode or ""}
    signed = signature(campaign.sign_off, sender)
    place = attributes_of(place_values) if attributes is None else attributes
    # Worked out once for every letter here: what the place's kept text is keyed by.
    here = _Hashed((*place_values.items(), *place.items()))
    result = []
    for recipient in recipients:
        rng = Draws(f"{digest}:{recipient.role}:{recipient.name}")
        filled = _Filled(campaign, recipient, place_values, personal, place, here)
        plan = filled.plan
        order = [p for p in points if p.id in plan.points]
        rng.shuffle(order)
        # One list of options per choice: the subject first, then each point in letter order.
        options = [filled.options(None, plan.subject_texts) or [""]]
        options += [filled.options(p.id, plan.point_texts[p.id]) for p in order]
        facts = [(None,) * len(options[0])] + [plan.facts[p.id] for p in order]
        picks: list[int] | None = [rng.below(len(o)) for o in options]
        letter = None
        while picks is not None:
            kept = _once_each(facts, picks) if plan.cites else list(picks)
            chosen = [options[n][i] if i is not None else "" for n, i in enumerate(kept)]
            taken = [("subject_lines", plan.subjects[kept[0]] if plan.subjects else -1)]
            taken += [
                (plan.names[p.id], -1 if i is None else plan.points[p.id][i])
                for p, i in zip(order, kept[1:], strict=True)
            ]
            letter = _letter(campaign, recipient, filled, signed, answers, chosen, taken)
            if fits is None or fits(letter):
                break
            # None once everything is at its shortest: the page offers copy-and-open instead.
            picks = _shorter(options, picks)
        result.append(letter)
    return result


class _Hashed(tuple):
    """A tuple that works its hash out once: a plain one does on every lookup, and this one,
    a place's values and attributes, has dozens of pairs."""

    def __new__(cls, items: tuple) -> "_Hashed":
        made = super().__new__(cls, items)
        made.hashed = tuple.__hash__(made)
        return made

    def __hash__(self) -> int:
        return self.hashed


class Draws:
    """Whole numbers drawn from a text: the same text always draws the same ones, another
    text its own (BLAKE2b of the text and a counter, 64 bytes at a time).

    ``random.Random(text)`` did this job, but seeding one fills its Mersenne Twister's 624
    words: about 5 µs, once per letter, for the dozen numbers a letter draws.
    """

    def __init__(self, text: str) -> None:
        self._text = text.encode()
        self._blocks = 0
        self._words: list[int] = []

    def below(self, n: int) -> int:
        """A number from 0 to ``n`` - 1, each as likely (from 64 random bits: the bias of
        the remainder is under n / 2**64)."""
        if not self._words:
            block = self._blocks.to_bytes(8, "little")
            digest = hashlib.blake2b(self._text, digest_size=64, salt=block[:8] * 2).digest()
            self._words = list(struct.unpack("<8Q", digest))
            self._blocks += 1
        return self._words.pop() % n

    def shuffle(self, items: list) -> None:
        """Put ``items`` in a drawn order, in place (Fisher–Yates, as ``random.shuffle``)."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def _text(entry) -> str:
    return entry if isinstance(entry, str) else entry.text


def attributes_of(place_values: Mapping[str, str]) -> dict[str, str]:
    """What conditions ask of a place, from its placeholder values: the nation from the
    country, and the force's and place's facts as they read."""
    nation = place_values.get("country", "").lower().replace(" ", "_")
    facts = {k: v for k, v in place_values.items() if conditions.FACT.match(k)}
    return {"nation": nation, **facts}


def _once_each(facts: list[tuple[str | None, ...]], picks: list[int]) -> list[int | None]:
    """The picks with no fact cited twice: a phrasing whose fact an earlier paragraph cited
    gives way to the next of its point's phrasings that cites a new one, or, when there is
    none, its point is left out of this letter (None)."""
    cited: set[str] = set()
    kept: list[int | None] = []
    for row, i in zip(facts, picks, strict=True):
        count = len(row)
        for step in range(count):  # the pick, then the phrasings after it, round to before it
            j = i + step if i + step < count else i + step - count
            fact = row[j]
            if fact is None or fact not in cited:
                if fact is not None:
                    cited.add(fact)
                kept.append(j)
                break
        else:
            kept.append(None)
    return kept


@dataclass(frozen=True)
class _Plan:
    """Which wordings one recipient at one place may take: the chosen alternative of each
    text (by name: "opening", "asks.mp"), and the eligible entries of each pool."""

    texts: dict[str, tuple[str, int]]  # the chosen wording and its index, by text name
    subjects: tuple[int, ...]
    subject_texts: tuple[str, ...]
    points: dict[str, tuple[int, ...]]  # by point id; only the points this letter may make
    point_texts: dict[str, tuple[str, ...]]
    facts: dict[str, tuple[str | None, ...]]  # the fact each of those phrasings cites
    cites: bool  # whether any of them cites one
    names: dict[str, str]  # each point's name in ``Letter.taken``: "talking_points.<id>"


def _plan(campaign: Campaign, attributes: Mapping[str, str]) -> _Plan:
    named: dict[str, Text] = {"opening": campaign.opening, "closing": campaign.closing}
    named.update({f"asks.{role}": text for role, text in campaign.asks.items()})
    texts = {}
    for name, text in named.items():
        index = choose(text, attributes)
        texts[name] = ("", -1) if index is None else (alternatives(text)[index].text, index)
    subjects = tuple(eligible(campaign.subject_lines, attributes))
    points = {
        p.id: tuple(eligible(p.phrasings, attributes))
        for p in campaign.talking_points
        if conditions.matches(p.when, attributes) and eligible(p.phrasings, attributes)
    }
    entries = {
        p.id: [as_alternative(p.phrasings[i]) for i in points[p.id]]
        for p in campaign.talking_points
        if p.id in points
    }
    facts = {pid: tuple(e.fact for e in found) for pid, found in entries.items()}
    return _Plan(
        texts=texts,
        subjects=subjects,
        subject_texts=tuple(_text(campaign.subject_lines[i]) for i in subjects),
        points=points,
        point_texts={pid: tuple(e.text for e in found) for pid, found in entries.items()},
        facts=facts,
        cites=any(f for found in facts.values() for f in found),
        names={pid: f"talking_points.{pid}" for pid in points},
    )


class _Frame(NamedTuple):
    """The greeting, opening, ask and closing of one recipient's letters from one place, and
    which wording of each (``Letter.taken``: the opening's, the ask's, the closing's)."""

    greeting: str
    opening: str
    ask: str
    closing: str
    taken: tuple[tuple[str, int], tuple[str, int], tuple[str, int]]


class _Filled:
    """Campaign text with its placeholders filled for one letter.

    Text with no placeholder reads the same in every letter; text whose placeholders are all
    the place's and the recipient's reads the same for everyone writing to this recipient from
    this place, so the campaign view keeps it filled (for ``KEPT_FILLS`` recipient-places, gone
    with the view when the campaign is saved). ``shares`` tells the links which text that is,
    so they may keep its encoding too. Text with a personal placeholder is filled for this
    letter only and never kept.
    """

    def __init__(
        self,
        campaign: Campaign,
        recipient: Recipient,
        place_values: Mapping[str, str],
        personal: Mapping[str, str],
        attributes: Mapping[str, str],
        here: tuple,
    ) -> None:
        kept = vars(campaign)
        if "_plain" not in kept:
            kept["_plain"] = _without_placeholders(campaign)
        self._plain: frozenset[str] = kept["_plain"]
        memo = kept.setdefault("_fills", {})
        # What the chosen wordings depend on: the recipient (its role), the place's values and
        # the attributes conditions read (``here``: both, as ``letters`` made them once).
        key = (recipient, here)
        fills = memo.get(key)
        if fills is None:
            if len(memo) >= KEPT_FILLS:
                memo.clear()
            plan = _plan(campaign, {**attributes, "role": recipient.role})
            fills = memo[key] = ({}, set(), plan, {}, [])
        # Fills by text (None: it has a personal placeholder), the set of those fills, the plan,
        # lists of fills by what they are the options for, and the letters' frame once made
        # (none of them personal).
        self._fills: dict[str, str | None] = fills[0]
        self._shared: set[str] = fills[1]
        self.plan: _Plan = fills[2]
        self._options: dict[str | None, list[str]] = fills[3]
        self._frame: list[_Frame] = fills[4]
        self._place_values = place_values
        self._recipient_name = recipient.name
        self._personal_values = personal
        self._personal: dict[str, str] | None = None  # made when a text needs it

    def __call__(self, text: str) -> str:
        if text in self._plain:
            return text
        try:
            done = self._fills[text]
        except KeyError:
            if placeholders_in(text) & PERSONAL:
                done = self._fills[text] = None
            else:
                values = {**self._place_values, "recipient_name": self._recipient_name}
                done = self._fills[text] = fill(text, values)
                self._shared.add(done)
        if done is not None:
            return done
        if self._personal is None:
            self._personal = {
                **self._place_values,
                "recipient_name": self._recipient_name,
                **self._personal_values,
            }
        return fill(text, self._personal)

    def options(self, name: str | None, texts: tuple[str, ...]) -> list[str]:
        """``texts`` filled, as a list the caller must not change: kept beside the fills when
        none of them is personal (``name``: a point's id, or None for the subject lines)."""
        done = self._options.get(name)
        if done is None:
            done = [self(text) for text in texts]
            if all(self._fills.get(text, "") is not None for text in texts):
                self._options[name] = done
        return done

    def text(self, name: str) -> tuple[str, int]:
        """A text's chosen wording, filled, and which alternative it is (-1: none)."""
        chosen, index = self.plan.texts.get(name, ("", -1))
        return self(chosen), index

    def frame(self, recipient: Recipient, language: str) -> _Frame:
        """What goes round the points in this recipient's letters: kept beside the fills
        when none of it is personal."""
        if self._frame:
            return self._frame[0]
        ask_name = f"asks.{recipient.role}"
        names = ("opening", ask_name, "closing")
        (opening, opening_at), (ask, ask_at), (closing, closing_at) = map(self.text, names)
        frame = _Frame(
            greeting_for(recipient, language),
            opening,
            ask,
            closing,
            (("opening", opening_at), (ask_name, ask_at), ("closing", closing_at)),
        )
        chosen = [self.plan.texts.get(name, ("", -1))[0] for name in names]
        if all(self._fills.get(text, "") is not None for text in chosen):
            self._frame.append(frame)
        return frame

    def shares(self, text: str) -> bool:
        """Whether ``text`` is campaign text that reads the same for everyone here."""
        return text in self._plain or text in self._shared


def _without_placeholders(campaign: Campaign) -> frozenset[str]:
    return frozenset(text for text in letter_texts(campaign) if not placeholders_in(text))


def _letter(
    campaign: Campaign,
    recipient: Recipient,
    filled: _Filled,
    signed: str,
    answers: list[str],
    chosen: list[str],
    taken: list[tuple[str, int]],
) -> Letter:
    """The letter with these choices: ``chosen`` is the subject, then the points' phrasings;
    ``signed`` is the supporter's signature; ``taken`` says which wordings they are."""
    greeting, opening, ask, closing, at = filled.frame(recipient, campaign.language)
    paragraphs = [greeting, opening, *answers, *chosen[1:], ask, closing, signed]
    taken = [at[0], *taken, at[1], at[2]]
    paragraphs = [text for p in paragraphs if (text := p.strip())]
    stock = tuple(p for p in paragraphs if p not in answers)
    shares = filled.shares
    shared = frozenset([p for p in (chosen[0], *stock) if shares(p)])
    body = "\n\n".join(paragraphs)
    return Letter(recipient, chosen[0], body, stock, shared | {greeting}, tuple(taken))


def greeting_for(recipient: Recipient, language: str = "en") -> str:
    """ "Dear Chief Constable," or, in Welsh, "Annwyl Brif Gwnstabl," (the directory's Welsh
    salutation, its title softened after Annwyl; the English one where it has none)."""
    if language == "cy":
        return f"Annwyl {recipient.salutation_cy or recipient.salutation},"
    return f"Dear {recipient.salutation},"


def _shorter(options: list[list[str]], picks: list[int]) -> list[int] | None:
    """The picks with one choice made shorter: the longest one that has a shorter option, to
    the longest of its shorter options (so the letter loses as little as it must)."""
    candidates = [
        (len(o[i]), n)
        for n, (o, i) in enumerate(zip(options, picks, strict=True))
        if any(len(text) < len(o[i]) for text in o)
    ]
    if not candidates:
        return None
    _, n = max(candidates)
    current = len(options[n][picks[n]])
    shorter = [j for j, text in enumerate(options[n]) if len(text) < current]
    picks = list(picks)
    picks[n] = max(shorter, key=lambda j: (len(options[n][j]), -j))
    return picks
