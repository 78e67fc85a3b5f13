"""Ways for a supporter to send a composed letter from their own mailbox.

Pure string building: an RFC 6068 ``mailto:`` link, webmail compose links and a draft
``.eml`` file. It takes plain strings so that it knows nothing of recipients or campaigns.

The encodings of the addresses it is given are kept (least recently used): callers pass only
the directory's and the campaign's addresses, never one a supporter typed.
"""

import functools
import quopri
import re
import unicodedata
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from typing import NamedTuple
from urllib.parse import quote

# Longest mailto: link we offer by default. Windows hands a mail link to the mail app through a
# 2,048-character limit: Chromium refuses longer ones without a word (kMaxUrlLength = 2048 in
# chrome/browser/platform_util_win.cc) and Outlook desktop has cut bodies near 2,000; 1,800
# leaves room. site.js raises it to MAILTO_UNLIMITED_BUDGET where the platform has no such limit.
MAX_LINK_LENGTH = 1800
# Android, iOS, macOS and Linux hand mail links over with no such limit (tested to megabytes in
# Safari, Mail and Thunderbird); 3,000 still fits when the handler is webmail that wraps and
# encodes the link once more (+30-70%), inside Gmail's budget below.
MAILTO_UNLIMITED_BUDGET = 3000

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Every boundary str.splitlines() knows, so that no header value can ever span two lines.
_HEADER_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_SLUG_MAX = 56  # keeps "<slug>.eml" within 60 characters
# Windows will not open or save a file with one of these names, whatever its extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


class Compose(NamedTuple):
    """Where a webmail client's compose window lives, what it calls its fields, and the longest
    whole link we trust it to take."""

    base: str
    to: str
    subject: str
    body: str
    budget: int


# None of these compose URLs is documented by its vendor: they are what the clients accept
# today, so they live in this one table to be fixed in one place when a vendor changes one.
# One rule for every field of every client: UTF-8 percent-encoding with %20 (never +),
# addresses joined by commas, line breaks as a bare LF (%0A), which Gmail reads as CRLF does.
# Budgets are https request lines, not Windows' mail-link limit; none is documented either:
# - gmail 3,500: "The URL length limit for the GMail mailto handler is 4kb" (issue 140 of
#   netneutrality/savetheinternet.in), and 413 "Request too large" at 6,410 characters (issue
#   893 of defund12/defund12.org); a signed-out user's link is re-encoded into the sign-in
#   redirect, so keep well under 4 KB.
# - outlook 4,000: an 8,000-character body arrived whole through an outlook.live.com deeplink
#   and IIS refused at about 31,000 (InteractionDesignFoundation/add-event-to-calendar-docs,
#   issue 19), matching http.sys's 16 KB MaxFieldLength (Microsoft KB 820129); older reports of
#   about 2,000 went through the sign-in redirect, so half of the 8,000 measured.
# - office365 and yahoo: no evidence found for either (a 2,000+ character failure reported for
#   both, az-digital/az_quickstart issue 4327), so the mailto default of 1,800 stays.
WEBMAIL: dict[str, Compose] = {
    "gmail": Compose("https://mail.google.com/mail/?view=cm&fs=1", "to", "su", "body", 3500),
    "outlook": Compose(
        "https://outlook.live.com/mail/0/deeplink/compose", "to", "subject", "body", 4000
    ),
    "office365": Compose(
        "https://outlook.office.com/mail/deeplink/compose", "to", "subject", "body", 1800
    ),
    "yahoo": Compose("https://compose.mail.yahoo.com/", "to", "subject", "body", 1800),
}
BUDGETS: dict[str, int] = {"mailto": MAX_LINK_LENGTH} | {k: c.budget for k, c in WEBMAIL.items()}

_KINDS = ("mailto", *WEBMAIL)  # the fields of Links, in order


def _addresses(to: Sequence[str]) -> list[str]:
    """Drop blank addresses; refuse a bare string, which would be split into characters."""
    if isinstance(to, str):
        raise TypeError("to must be a sequence of addresses, not a str")
    return [a for a in (_one_line(a).strip() for a in to) if a]


def _scalars(text: str) -> str:
    """The text with lone surrogates (which no encoder takes) replaced by "?"."""
    if text.isascii():  # the usual case, and no surrogate is ASCII
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


def _one_line(text: str) -> str:
    """Collapse line breaks to a space: a subject is one line, and this stops header injection."""
    return _HEADER_BREAKS.sub(" ", _scalars(text))


def _lines(text: str, newline: str) -> str:
    """Make every line break (CRLF, LF or lone CR) the same one."""
    if newline == "\n" and "\r" not in text:
        return _scalars(text)
    return _LINE_BREAK.sub(newline, _scalars(text))


# RFC 3986 unreserved characters stay as they are; every other UTF-8 byte is percent-encoded.
# The same result as urllib.parse.quote(text, safe=""), about twice as fast: a letter is
# encoded on every request, so this is the hot loop of the letters page.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_PERCENT = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))


def _pct(text: str) -> str:
    return "".join(map(_PERCENT.__getitem__, text.encode("utf-8")))


# Campaign text that is the same for every supporter writing from one place (never a supporter's
# own words or details: the caller vouches for that) is encoded once and kept.
_pct_shared = functools.lru_cache(maxsize=4096)(_pct)
PARAGRAPH = "\n\n"


def _pct_body(lf_body: str, shared: Collection[str], own: dict[str, str] | None = None) -> str:
    """The body encoded paragraph by paragraph, the ``shared`` ones from the kept encodings,
    the others through ``own`` when given: one supporter's letters share their own words and
    signature, and the caller drops ``own`` with those letters.

    The same result as ``_pct(lf_body)``: encoding is byte by byte, and a paragraph break
    encodes to ``%0A%0A`` wherever it falls.
    """
    if not shared and own is None:
        return _pct(lf_body)
    own = {} if own is None else own
    parts = []
    for p in lf_body.split(PARAGRAPH):
        if p in shared:
            parts.append(_pct_shared(p))
        elif (done := own.get(p)) is not None:
            parts.append(done)
        else:
            parts.append(own.setdefault(p, _pct(p)))
    return "%0A%0A".join(parts)


@functools.lru_cache(maxsize=1024)  # the directory's addresses: a few thousand at most
def _mailto_path(to: tuple[str, ...]) -> str:
    return ",".join(quote(a, safe="@") for a in to)


@functools.lru_cache(maxsize=32)
def _fields(spec: Compose) -> tuple[str, str, str]:
    """A compose link's text before the addresses, before the subject and before the body."""
    head = f"{spec.base}{'&' if '?' in spec.base else '?'}{spec.to}="
    return head, f"&{spec.subject}=", f"&{spec.body}="


class Encoded(NamedTuple):
    """A letter's fields percent-encoded once; every link is these joined with its own names.

    The body is encoded with LF breaks: a LF is ``%0A`` and nothing else encodes to that (a
    literal "%" is ``%25``), so the mailto body (CRLF) is one replace away.
    """

    to: list[str]  # the addresses, blanks dropped, not encoded (mailto encodes them its way)
    web_to: str  # the addresses as every webmail link carries them
    subject: str
    body: str

    @classmethod
    def of(cls, to: Sequence[str], subject: str, body: str) -> "Encoded":
        return cls.normalised(_addresses(to), subject, _lines(body, "\n"))

    @classmethod
    def normalised(
        cls, to: list[str], subject: str, lf_body: str, shared: Collection[str] = ()
    ) -> "Encoded":
        """From addresses already checked and a body already in LF breaks; ``shared`` text (the
        subject or whole paragraphs) holds nothing personal, so its encoding may be kept."""
        subject = _one_line(subject)
        return cls(
            to,
            _pct_shared(",".join(to)),
            _pct_shared(subject) if subject in shared else _pct(subject),
            _pct_body(lf_body, shared) if lf_body else "",
        )

    def mailto(self) -> str:
        """An RFC 6068 link: everything but unreserved characters percent-encoded, CRLF breaks."""
        path = _mailto_path(tuple(self.to))
        body = self.body.replace("%0A", "%0D%0A")
        return f"mailto:{path}?subject={self.subject}&body={body}"

    def webmail(self, client: str) -> str:
        """A compose link for one WEBMAIL client; ValueError for a client we do not know."""
        try:
            spec = WEBMAIL[client]
        except KeyError:
            known = ", ".join(WEBMAIL)
            raise ValueError(f"unknown webmail client {client!r}; known: {known}") from None
        head, subject, body = _fields(spec)
        # One string of each link, made once: it holds the whole encoded body.
        return f"{head}{self.web_to}{subject}{self.subject}{body}{self.body}"

    def candidates(self) -> dict[str, str]:
        """Every kind of link, whatever its length."""
        return {"mailto": self.mailto()} | {client: self.webmail(client) for client in WEBMAIL}

    def links(self, budgets: Mapping[str, int]) -> "Links":
        """The links that fit their budget, and which kinds were withheld."""
        candidates = self.candidates()
        fitting = {kind: url for kind, url in candidates.items() if len(url) <= budgets[kind]}
        withheld = tuple(kind for kind in candidates if kind not in fitting)
        return Links(**fitting, withheld=withheld)


def mailto(to: Sequence[str], subject: str, body: str) -> str:
    """An RFC 6068 link: everything but unreserved characters percent-encoded, CRLF breaks."""
    return Encoded.of(to, subject, body).mailto()


def webmail(client: str, to: Sequence[str], subject: str, body: str) -> str:
    """A compose link for one WEBMAIL client; ValueError for a client we do not know."""
    return Encoded.of(to, subject, body).webmail(client)


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
        """The links by kind, for JSON and templates (in ``_KINDS``' order)."""
        return {
            "mailto": self.mailto,
            "gmail": self.gmail,
            "outlook": self.outlook,
            "office365": self.office365,
            "yahoo": self.yahoo,
        }


NO_LINKS = Links()  # for a recipient with no address: no links at all, and not "too long"


def links(
    to: Sequence[str],
    subject: str,
    body: str,
    budget: int | Mapping[str, int] = BUDGETS,
    *,
    shared: Collection[str] = (),
) -> Links:
    """All links that fit their budget (one for all kinds, or one per kind); never a link a
    mail client would silently truncate. ``shared``: see ``Encoded.normalised``.

    No address (the recipient has none) means no links at all, and that is not "too long".
    """
    addresses = _addresses(to)
    if not addresses:
        return NO_LINKS
    budgets = budget if isinstance(budget, Mapping) else dict.fromkeys(_KINDS, budget)
    return _whole(Encoded.normalised(addresses, subject, "", shared), body, budgets, shared)


def links_and_open_links(
    to: Sequence[str],
    subject: str,
    body: str,
    *,
    shared: Collection[str] = (),
    own: dict[str, str] | None = None,
) -> tuple[Links, Links]:
    """``links`` for the letter, and the links that open a message with only its address and
    subject (to paste a body too long for a link into): both from one encoding. Where even the
    subject is too long for a link, that link opens a message to the address alone, so there is
    always one to press. ``shared`` and ``own``: see ``Encoded.normalised`` and ``_pct_body``."""
    whole, opener = whole_links(to, subject, body, shared=shared, own=own)
    return whole, open_links(opener)


def whole_links(
    to: Sequence[str],
    subject: str,
    body: str,
    *,
    shared: Collection[str] = (),
    own: dict[str, str] | None = None,
) -> tuple[Links, Encoded | None]:
    """``links`` for the letter, and its address and subject as encoded for them, which
    ``open_links`` takes (None: no address). For a caller that wants the open links only
    when a letter is too long for the others (the letters page)."""
    if subject in shared and isinstance(to, tuple):
        opener = _kept_opener(to, subject)
    else:
        addresses = _addresses(to)
        opener = Encoded.normalised(addresses, subject, "", shared) if addresses else None
    if opener is None:
        return NO_LINKS, None
    return _whole(opener, body, BUDGETS, shared, own), opener


class _Kept(Encoded):
    """An opener with nothing personal in it (the directory's addresses, a campaign subject),
    kept, with its open links made once: every supporter writing to that recipient with
    that subject shares them."""

    @functools.cached_property
    def open_links(self) -> Links:
        return _open_links(self)


@functools.lru_cache(maxsize=4096)
def _kept_opener(to: tuple[str, ...], subject: str) -> _Kept | None:
    addresses = _addresses(to)
    if not addresses:
        return None
    return _Kept(*Encoded.normalised(addresses, subject, "", (subject,)))


def open_links(opener: Encoded | None) -> Links:
    """The links that open a message with the address and subject ``whole_links`` encoded,
    or with the address alone where the subject makes one too long."""
    if opener is None:
        return NO_LINKS
    if type(opener) is _Kept:
        return opener.open_links
    return _open_links(opener)


def _open_links(opener: Encoded) -> Links:
    opening = opener.links(BUDGETS)
    if opening.withheld:
        bare = opener._replace(subject="").links(BUDGETS)
        by_kind = {kind: getattr(opening, kind) or getattr(bare, kind) for kind in _KINDS}
        opening = Links(**by_kind, withheld=bare.withheld)
    return opening


def _whole(
    opener: Encoded,
    body: str,
    budgets: Mapping[str, int],
    shared: Collection[str],
    own: dict[str, str] | None = None,
) -> Links:
    """The links with ``body`` added to an encoded address and subject."""
    lf_body = _lines(body, "\n")
    if len(lf_body) > max(budgets.values()):  # encoding never shortens
        return Links(withheld=_KINDS)
    encoded = Encoded(opener.to, opener.web_to, opener.subject, _pct_body(lf_body, shared, own))
    return encoded.links(budgets)


def overrun(to: Sequence[str], subject: str, body: str) -> int:
    """Characters by which the tightest link misses its budget (0 or less: every link fits)."""
    if not _addresses(to):
        return 0
    candidates = Encoded.of(to, subject, body).candidates()
    return max(len(url) - BUDGETS[kind] for kind, url in candidates.items())


def fits(to: Sequence[str], subject: str, body: str) -> bool:
    """Whether every link carries the whole letter (always true with no address: no links)."""
    return overrun(to, subject, body) <= 0


# A plain ASCII addr-spec (dot-atom local part and host name), as the directory holds them.
# Nothing else reaches a To: header, so no address can carry a comment, a group or a line.
SAFE_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
ENCODED_WORD = re.compile(r"=\?.*?\?[bq]\?.*?\?=", re.IGNORECASE | re.DOTALL)
_PLAIN_SUBJECT = re.compile(r"[ -~]*")  # printable ASCII: may go out as it is


def safe_address(address: str) -> bool:
    """Whether an address can go into a header as it is: a plain addr-spec, no encoded-word."""
    return bool(SAFE_ADDRESS.fullmatch(address)) and "=?" not in address


def _subject_header(subject: str) -> str:
    """The Subject value, folded to 78 columns.

    Text that looks like an RFC 2047 encoded-word, or is not plain ASCII, goes out as
    encoded-words of its own, so a mail client shows it literally and never decodes the
    supporter's or the campaign's text into header syntax (CVE-2024-6923 was exactly that).
    """
    text = _one_line(subject)
    if _PLAIN_SUBJECT.fullmatch(text) and "=?" not in text:
        folded = Header(text, "us-ascii", header_name="Subject").encode(linesep="\r\n")
        if all(len(line) <= 78 - len("Subject: ") for line in folded.split("\r\n")):
            return folded
    return Header(text, "utf-8", header_name="Subject").encode(linesep="\r\n")


def eml(to: Sequence[str], subject: str, body: str) -> bytes:
    """A draft message that Outlook and Thunderbird open ready to send (X-Unsent: 1).

    The message is written out here rather than by ``email.message``: its header parser decodes
    encoded-words in the text it is given, and older Pythons then wrote a decoded line break out
    as a new header (a hidden ``Bcc:``). Here no text is parsed, so the header set is fixed:
    To (addresses that pass ``safe_address``; none means the supporter fills it in), Subject,
    X-Unsent and the three MIME headers.
    """
    headers = []
    addresses = [a for a in _addresses(to) if safe_address(a)]
    if addresses:
        headers.append("To: " + ",\r\n ".join(addresses))
    headers += [
        f"Subject: {_subject_header(subject)}",
        "X-Unsent: 1",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        # Quoted-printable always: 7-bit safe and short lines whatever the text, yet readable.
        "Content-Transfer-Encoding: quoted-printable",
    ]
    text = _lines(body, "\n")
    if not text.endswith("\n"):
        text += "\n"
    content = quopri.encodestring(text.encode("utf-8")).replace(b"\n", b"\r\n")
    return "\r\n".join(headers).encode("ascii") + b"\r\n\r\n" + content


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
