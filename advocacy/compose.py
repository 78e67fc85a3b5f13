"""Letters from a campaign, its recipients and a supporter's choices. Pure: no Flask, no I/O.

MPs' offices discount identical mass emails, so each supporter's letter differs: the subject line,
the phrasing of each talking point and their order are drawn from a seed made of the campaign and
the supporter's own input. The same input always gives the same letter (a reload changes nothing).
"""

import hashlib
import json
import random
import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from advocacy.campaigns import Campaign
from advocacy.campaigns import fill
from advocacy.directory import Recipient

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

    @cached_property  # the letters page asks twice per letter
    def own_share(self) -> int:
        return own_share(self.body, self.stock)


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def own_share(body: str, stock: tuple[str, ...]) -> int:
    """Percent of the letter, by characters, that is not stock campaign text."""
    paragraphs = [p.strip() for p in PARAGRAPH_BREAK.split(clean_text(body)) if p.strip()]
    total = sum(len(p) for p in paragraphs)
    own = sum(len(p) for p in paragraphs if p not in stock)
    # A sentence of one's own shows as at least 1%, never as nothing.
    return max(1, round(100 * own / total)) if own else 0


def clean_text(text: str) -> str:
    """Supporter text as plain paragraphs: Unix line breaks, no runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return BLANK_LINES.sub("\n\n", text)


def seed(campaign: Campaign, sender: Sender, choices: Choices) -> str:
    """A stable digest of everything that makes this supporter's letter theirs."""
    material = [
        campaign.slug,
        sender.name.strip().lower(),
        sender.postcode,
        sorted(choices.talking_points),
        choices.answers,
    ]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


# A letter "fits" when every way of sending it carries it whole; the caller knows the links.
Fits = Callable[[Recipient, str, str], bool]
ENDS_A_SENTENCE = tuple(".!?…)\"'’”")
# Words that start an answer but read lower-case after a lead-in ("…used at the station").
LOWER_AFTER_LEAD_IN = frozenset(
    ("a", "an", "the", "my", "our", "outside", "in", "on", "at", "near", "by", "around", "every")
)


def own_words(text: str, lead_in: str = "") -> str:
    """A supporter's answer as a sentence of the letter: after the prompt's lead-in when it has
    one ("Near where I live, cameras could be used at" + "Brixton high street"), with a full
    stop when it has none of its own. Their words are otherwise left exactly as written."""
    text = clean_text(text)
    if not text:
        return ""
    if lead_in.strip():
        first, _, rest = text.partition(" ")
        if first.lower() in LOWER_AFTER_LEAD_IN and first[:1].isupper() and first[1:].islower():
            text = " ".join(filter(None, (first.lower(), rest)))
        text = f"{lead_in.strip()} {text}"
    if not text.endswith(ENDS_A_SENTENCE):
        text += "."
    return text


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


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
) -> list[Letter]:
    """One letter per recipient, in the recipients' order.

    With ``fits``, a letter that doesn't fit gets shorter phrasings (and subject) until it does,
    or until each is the shortest it has: no point the supporter ticked and no word they wrote
    is ever dropped. Which shorter phrasing is still decided by the seed.
    """
    digest = seed(campaign, sender, choices)
    lead_ins = {p.id: p.lead_in for p in campaign.prompts}
    answers = [own_words(text, lead_ins.get(key, "")) for key, text in choices.answers]
    answers = [a for a in answers if a]
    points = [p for p in campaign.talking_points if p.id in set(choices.talking_points)]
    result = []
    for recipient in recipients:
        rng = random.Random(f"{digest}:{recipient.role}:{recipient.name}")
        values = {
            **place_values,
            "recipient_name": recipient.name,
            "supporter_name": sender.name.strip(),
            "postcode": sender.postcode or "",
        }
        order = list(points)
        rng.shuffle(order)
        # One list of options per choice: the subject first, then each point in letter order.
        options = [[fill(s, values) for s in campaign.subject_lines] or [""]]
        options += [[fill(text, values) for text in p.phrasings] for p in order]
        picks: list[int] | None = [rng.randrange(len(o)) for o in options]
        letter = None
        while picks is not None:
            chosen = [o[i] for o, i in zip(options, picks, strict=True)]
            letter = _letter(campaign, recipient, values, sender, answers, chosen)
            if fits is None or fits(recipient, letter.subject, letter.body):
                break
            # None once everything is at its shortest: the page offers copy-and-open instead.
            picks = _shorter(options, picks)
        result.append(letter)
    return result


def _letter(
    campaign: Campaign,
    recipient: Recipient,
    values: Mapping[str, str],
    sender: Sender,
    answers: list[str],
    chosen: list[str],
) -> Letter:
    """The letter with these choices: ``chosen`` is the subject, then the points' phrasings."""
    paragraphs = [f"Dear {recipient.salutation},", fill(campaign.opening, values)]
    paragraphs += answers
    paragraphs += chosen[1:]
    paragraphs.append(fill(campaign.asks.get(recipient.role, ""), values))
    paragraphs.append(fill(campaign.closing, values))
    paragraphs.append(signature(campaign.sign_off, sender))
    paragraphs = [p.strip() for p in paragraphs if p and p.strip()]
    stock = tuple(p for p in paragraphs if p not in answers)
    return Letter(recipient, chosen[0], "\n\n".join(paragraphs), stock)


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
