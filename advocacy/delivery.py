"""Ways for a supporter to send a composed letter from their own mailbox.

Pure string building: an RFC 6068 ``mailto:`` link, webmail compose links and a draft
``.eml`` file. It takes plain strings so that it knows nothing of recipients or campaigns.
"""

import email.policy
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import NamedTuple
from urllib.parse import quote

# Longest whole URL we offer. Old Edge/IE stop at 2083 and Outlook desktop cuts mailto bodies
# near 2000 without a word, so a longer link would send a silently shortened letter.
MAX_LINK_LENGTH = 1800

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Every boundary str.splitlines() knows, so that no header value can ever span two lines.
_HEADER_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_SLUG_MAX = 56  # keeps "<slug>.eml" within 60 characters
# Windows will not open or save a file with one of these names, whatever its extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


class Compose(NamedTuple):
    """Where a webmail client's compose window lives and what it calls its fields."""

    base: str
    to: str
    subject: str
    body: str


# None of these compose URLs is documented by its vendor: they are what the clients accept
# today, so they live in this one table to be fixed in one place when a vendor changes one.
# One rule for every field of every client: UTF-8 percent-encoding with %20 (never +),
# addresses joined by commas, line breaks as a bare LF (%0A), which Gmail reads as CRLF does.
WEBMAIL: dict[str, Compose] = {
    "gmail": Compose("https://mail.google.com/mail/?view=cm&fs=1", "to", "su", "body"),
    "outlook": Compose("https://outlook.live.com/mail/0/deeplink/compose", "to", "subject", "body"),
    "office365": Compose(
        "https://outlook.office.com/mail/deeplink/compose", "to", "subject", "body"
    ),
    "yahoo": Compose("https://compose.mail.yahoo.com/", "to", "subject", "body"),
}

_KINDS = ("mailto", *WEBMAIL)  # the fields of Links, in order


def _addresses(to: Sequence[str]) -> list[str]:
    """Drop blank addresses; refuse a bare string, which would be split into characters."""
    if isinstance(to, str):
        raise TypeError("to must be a sequence of addresses, not a str")
    return [a for a in (_one_line(a).strip() for a in to) if a]


def _one_line(text: str) -> str:
    """Collapse line breaks to a space: a subject is one line, and this stops header injection."""
    return _HEADER_BREAKS.sub(" ", text)


def _lines(text: str, newline: str) -> str:
    """Make every line break (CRLF, LF or lone CR) the same one."""
    return _LINE_BREAK.sub(newline, text)


def mailto(to: Sequence[str], subject: str, body: str) -> str:
    """An RFC 6068 link: everything but unreserved characters percent-encoded, CRLF breaks."""
    path = ",".join(quote(a, safe="@") for a in _addresses(to))
    subject_q = quote(_one_line(subject), safe="")
    body_q = quote(_lines(body, "\r\n"), safe="")
    return f"mailto:{path}?subject={subject_q}&body={body_q}"


def webmail(client: str, to: Sequence[str], subject: str, body: str) -> str:
    """A compose link for one WEBMAIL client; ValueError for a client we do not know."""
    try:
        spec = WEBMAIL[client]
    except KeyError:
        known = ", ".join(WEBMAIL)
        raise ValueError(f"unknown webmail client {client!r}; known: {known}") from None
    fields = (
        (spec.to, ",".join(_addresses(to))),
        (spec.subject, _one_line(subject)),
        (spec.body, _lines(body, "\n")),
    )
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in fields)
    return f"{spec.base}{'&' if '?' in spec.base else '?'}{query}"


@dataclass(frozen=True)
class Links:
    """Every way to open the letter in a mail client; None where that way is not offered."""

    mailto: str | None = None
    gmail: str | None = None
    outlook: str | None = None
    office365: str | None = None
    yahoo: str | None = None
    withheld: tuple[str, ...] = ()  # kinds left out because the link was over budget

    @property
    def too_long(self) -> bool:
        """True when a link was withheld for length: show "copy and open" instead."""
        return bool(self.withheld)

    def as_dict(self) -> dict[str, str | None]:
        """The links by kind, for JSON and templates."""
        return {kind: getattr(self, kind) for kind in _KINDS}


def links(to: Sequence[str], subject: str, body: str, budget: int = MAX_LINK_LENGTH) -> Links:
    """All links that fit in budget; never a link a mail client would silently truncate.

    No address (the recipient has none) means no links at all, and that is not "too long".
    """
    if not _addresses(to):
        return Links()
    if len(_lines(body, "\n")) > budget:  # every link holds the body, and encoding never shortens
        return Links(withheld=_KINDS)
    candidates = {"mailto": mailto(to, subject, body)}
    candidates |= {client: webmail(client, to, subject, body) for client in WEBMAIL}
    fitting = {kind: url for kind, url in candidates.items() if len(url) <= budget}
    withheld = tuple(kind for kind in candidates if kind not in fitting)
    return Links(**fitting, withheld=withheld)


def eml(to: Sequence[str], subject: str, body: str) -> bytes:
    """A draft message that Outlook and Thunderbird open ready to send (X-Unsent: 1).

    No To header when there is no address: the supporter fills it in.
    """
    msg = EmailMessage(policy=email.policy.SMTP)
    addresses = _addresses(to)
    if addresses:
        msg["To"] = ", ".join(addresses)
    msg["Subject"] = _one_line(subject)
    msg["X-Unsent"] = "1"
    # Quoted-printable always: 7-bit safe and short lines whatever the text, yet readable.
    msg.set_content(_lines(body, "\n"), charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()


def eml_filename(subject: str) -> str:
    """An ASCII slug of the subject that is a safe file name on every system."""
    ascii_text = unicodedata.normalize("NFKD", subject).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        head = slug[: _SLUG_MAX + 1]
        cut = head.rfind("-")
        slug = (head[:cut] if cut > 0 else slug[:_SLUG_MAX]).strip("-")
    if not slug or slug in _RESERVED:
        return "letter.eml"
    return f"{slug}.eml"
