"""Letters from a campaign, its recipients and a supporter's choices. Pure: no Flask, no I/O.

MPs' offices discount identical mass emails, so each supporter's letter differs: the subject line,
the phrasing of each talking point and their order are drawn from a seed made of the campaign and
the supporter's own input. The same input always gives the same letter (a reload changes nothing).
"""

import hashlib
import json
import random
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

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

    @property
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


def letters(
    campaign: Campaign,
    recipients: Sequence[Recipient],
    sender: Sender,
    choices: Choices,
    place_values: Mapping[str, str],
) -> list[Letter]:
    """One letter per recipient, in the recipients' order."""
    digest = seed(campaign, sender, choices)
    answers = [clean_text(text) for _, text in choices.answers if text and text.strip()]
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
        paragraphs = [f"Dear {recipient.salutation},", fill(campaign.opening, values)]
        paragraphs += answers
        paragraphs += [fill(rng.choice(p.phrasings), values) for p in order]
        paragraphs.append(fill(campaign.asks.get(recipient.role, ""), values))
        paragraphs.append(fill(campaign.closing, values))
        signature = [campaign.sign_off, sender.name.strip(), clean_text(sender.address)]
        signature.append(sender.postcode or "")
        paragraphs.append("\n".join(line for line in signature if line))
        paragraphs = [p.strip() for p in paragraphs if p and p.strip()]
        stock = tuple(p for p in paragraphs if p not in answers)
        subject = fill(rng.choice(campaign.subject_lines), values) if campaign.subject_lines else ""
        result.append(Letter(recipient, subject, "\n\n".join(paragraphs), stock))
    return result
