"""Tests for advocacy.letters.delivery: links and drafts must carry the letter unchanged."""

import email
import email.policy
import re
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

from advocacy.letters import delivery
from advocacy.letters.delivery import WEBMAIL
from advocacy.letters.delivery import Links
from advocacy.letters.delivery import eml
from advocacy.letters.delivery import eml_filename
from advocacy.letters.delivery import links
from advocacy.letters.delivery import mailto
from advocacy.letters.delivery import webmail

TO = ["mp@parliament.uk"]
# RFC 3986 unreserved characters or a percent-encoded octet, and nothing else.
ENCODED = r"(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*"
SUBJECTS = [
    "Please act",
    "a+b & c = 100% #1?",
    "Café – £5 ✓",
    "Órfhlaith",
    "Thanks 😀👍🏽",
    "  leading and trailing  ",
    "",
]
BODIES = [
    "Dear MP,\n\nPlease act.\n",
    "Dear MP,\r\n\r\nPlease act.\r\n",
    "Dear MP,\r\rPlease act.\r",
    "mixed\nbreaks\r\nof\revery\n\rstyle",
    "a+b & c=d 100% #tag ?q /path ;x ~y",
    "Café – £5 ✓ from Órfhlaith 😀",
    "  indented\n\ttabbed  \n  ",
    "",
]


def crlf(text: str) -> str:
    """The body as RFC 6068 wants it: every line break a CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def lf(text: str) -> str:
    """The body as the webmail links carry it: every line break a bare LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def mailto_parts(link: str) -> tuple[list[str], dict[str, str]]:
    """Split a mailto link the RFC 6068 way: %20 is a space and + is a plus."""
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    assert parts.fragment == ""
    addresses = [unquote(a) for a in parts.path.split(",")] if parts.path else []
    fields = {}
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        fields[unquote(name)] = unquote(value, errors="strict")
    return addresses, fields


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("body", BODIES)
def test_mailto_round_trips_subject_and_body(subject: str, body: str) -> None:
    link = mailto(TO, subject, body)
    addresses, fields = mailto_parts(link)
    assert addresses == TO
    assert fields == {"subject": subject, "body": crlf(body)}
    assert "+" not in link
    assert " " not in link
    assert re.fullmatch(rf"mailto:{ENCODED}@{ENCODED}\?subject={ENCODED}&body={ENCODED}", link)


@pytest.mark.parametrize(
    ("body", "encoded"),
    [
        ("a\nb", "a%0D%0Ab"),
        ("a\r\nb", "a%0D%0Ab"),
        ("a\rb", "a%0D%0Ab"),
        ("a\r\r\nb", "a%0D%0A%0D%0Ab"),
        ("a b", "a%20b"),
        ("+&%#=?", "%2B%26%25%23%3D%3F"),
        ("é", "%C3%A9"),
        ("AZaz09-._~", "AZaz09-._~"),
        ("/:;,@!$'()*[]", "%2F%3A%3B%2C%40%21%24%27%28%29%2A%5B%5D"),
    ],
)
def test_mailto_encodes_exactly(body: str, encoded: str) -> None:
    assert mailto(TO, "s", body) == f"mailto:mp@parliament.uk?subject=s&body={encoded}"
    subject = body.replace("\r", "").replace("\n", "")
    expected = encoded.replace("%0D%0A", "")
    assert mailto(TO, subject, "") == f"mailto:mp@parliament.uk?subject={expected}&body="


@pytest.mark.parametrize(
    ("to", "path"),
    [
        (["a@x.org", "b@y.org"], "a@x.org,b@y.org"),
        (["first+tag@x.org"], "first%2Btag@x.org"),
        (["a@x.org", "", "  "], "a@x.org"),
        ([" \ta@x.org\t\n"], "a@x.org"),
        ([], ""),
    ],
)
def test_mailto_addresses(to: list[str], path: str) -> None:
    assert mailto(to, "Hi there", "") == f"mailto:{path}?subject=Hi%20there&body="


def test_mailto_multiple_recipients_round_trip() -> None:
    to = ["a@x.org", "first+tag@y.org", "c@z.org"]
    addresses, _ = mailto_parts(mailto(to, "s", "b"))
    assert addresses == to


def test_subject_line_breaks_collapse_to_one_space() -> None:
    _, fields = mailto_parts(mailto(TO, "Hi\r\n\nthere\u2028now", "b"))
    assert fields["subject"] == "Hi there now"


@pytest.mark.parametrize("client", sorted(WEBMAIL))
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("body", BODIES)
def test_webmail_round_trips(client: str, subject: str, body: str) -> None:
    to = ["a@x.org", "first+tag@y.org"]
    link = webmail(client, to, subject, body)
    spec = WEBMAIL[client]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == spec.base.split("?")[0]
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert query[spec.to] == [",".join(to)]
    assert query[spec.subject] == [subject]
    assert query[spec.body] == [lf(body)]
    assert "+" not in link
    assert " " not in link
    assert "%0D" not in link
    values = rf"{spec.to}={ENCODED}&{spec.subject}={ENCODED}&{spec.body}={ENCODED}"
    assert re.fullmatch(rf"[^?]+\?(?:view=cm&fs=1&)?{values}", link)


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("gmail", "https://mail.google.com/mail/?view=cm&fs=1&to=a%40x.org&su=a%2Bb&body=1%0A2"),
        (
            "outlook",
            "https://outlook.live.com/mail/0/deeplink/compose?to=a%40x.org&subject=a%2Bb&body=1%0A2",
        ),
        (
            "office365",
            "https://outlook.office.com/mail/deeplink/compose?to=a%40x.org&subject=a%2Bb&body=1%0A2",
        ),
        ("yahoo", "https://compose.mail.yahoo.com/?to=a%40x.org&subject=a%2Bb&body=1%0A2"),
    ],
)
def test_webmail_exact_links(client: str, expected: str) -> None:
    assert webmail(client, ["a@x.org"], "a+b", "1\r\n2") == expected


def test_webmail_unknown_client() -> None:
    with pytest.raises(ValueError, match="hotmail"):
        webmail("hotmail", TO, "s", "b")


def test_a_bare_string_is_not_a_list_of_addresses() -> None:
    with pytest.raises(TypeError):
        links("mp@parliament.uk", "s", "b")  # type: ignore[arg-type]


def test_links_offers_every_kind() -> None:
    result = links(TO, "Café", "Dear MP,\nPlease act.")
    assert list(result.as_dict()) == ["mailto", *WEBMAIL]  # every kind, in the table's order
    assert result.as_dict() == {
        "mailto": mailto(TO, "Café", "Dear MP,\nPlease act."),
        **{c: webmail(c, TO, "Café", "Dear MP,\nPlease act.") for c in WEBMAIL},
    }
    assert result.too_long is False
    assert result.withheld == ()


@pytest.mark.parametrize("to", [[], [""], ["  "]])
def test_links_without_an_address(to: list[str]) -> None:
    result = links(to, "Subject", "Body")
    assert result == Links()
    assert all(url is None for url in result.as_dict().values())
    assert result.too_long is False


def body_for_length(kind: str, length: int) -> str:
    """An ASCII body that makes the link of this kind exactly length characters long."""
    if kind == "mailto":
        overhead = len(mailto(TO, "Subject", ""))
    else:
        overhead = len(webmail(kind, TO, "Subject", ""))
    return "a" * (length - overhead)


@pytest.mark.parametrize("kind", ["mailto", *sorted(WEBMAIL)])
@pytest.mark.parametrize(("extra", "offered"), [(-1, True), (0, True), (1, False)])
def test_link_length_boundary(kind: str, extra: int, offered: bool) -> None:
    budget = delivery.BUDGETS[kind]
    body = body_for_length(kind, budget + extra)
    result = links(TO, "Subject", body)
    url = result.as_dict()[kind]
    if offered:
        assert url is not None
        assert len(url) == budget + extra
    else:
        assert url is None
        assert kind in result.withheld
        assert result.too_long is True


@pytest.mark.parametrize("budget_delta", [0, -1])
def test_budget_is_a_whole_url_length(budget_delta: int) -> None:
    body = "Dear MP,\nCafé – £5 ✓ " * 5
    link = mailto(TO, "Hello", body)
    result = links(TO, "Hello", body, budget=len(link) + budget_delta)
    assert (result.mailto == link) is (budget_delta == 0)
    assert ("mailto" in result.withheld) is (budget_delta == -1)


def test_long_letter_withholds_all_links() -> None:
    result = links(TO, "Subject", "word " * 1000)
    assert all(url is None for url in result.as_dict().values())
    assert set(result.withheld) == {"mailto", *WEBMAIL}
    assert result.too_long is True


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_shortcut_for_long_letters_withholds_exactly_what_is_over_budget(newline):
    """links() skips encoding a body longer than the budget; that must change no answer."""
    budget, seen = 300, set()
    for length in range(100, 320, 3):
        body = (("word " * 8 + newline) * 20)[:length]
        result = links(TO, "Subject", body, budget=budget)
        every = {"mailto": mailto(TO, "Subject", body)}
        every |= {client: webmail(client, TO, "Subject", body) for client in WEBMAIL}
        over = {kind for kind, url in every.items() if len(url) > budget}
        assert set(result.withheld) == over, length
        assert {k: u for k, u in result.as_dict().items() if u} == {
            k: u for k, u in every.items() if k not in over
        }
        seen.add(len(over))
    assert {0, len(every)} <= seen and len(seen) > 2  # none, some and all withheld were tried


def parse_eml(data: bytes) -> email.message.EmailMessage:
    """Read a draft back the way a mail client would."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


@pytest.mark.parametrize(
    ("subject", "body", "content"),
    [
        ("Please act", "Dear MP,\nPlease act.", "Dear MP,\r\nPlease act.\r\n"),
        ("Café – £5 ✓", "Café – £5 ✓\r\n\r\n", "Café – £5 ✓\r\n\r\n"),
        ("Órfhlaith 😀", "a\rb\n  c  ", "a\r\nb\r\n  c  \r\n"),
        ("a+b & c = 100%", "x" * 200 + " é", "x" * 200 + " é\r\n"),
        ("😀" * 40, "😀" * 40, "😀" * 40 + "\r\n"),
    ],
)
def test_eml_round_trips(subject: str, body: str, content: str) -> None:
    data = eml(["a@x.org", "b@y.org"], subject, body)
    message = parse_eml(data)
    assert [a.addr_spec for a in message["To"].addresses] == ["a@x.org", "b@y.org"]
    assert message["Subject"] == subject
    assert message["X-Unsent"] == "1"
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == content
    assert message["From"] is None
    assert data.isascii()
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))


@pytest.mark.parametrize(
    "subject",
    ["Hi\r\nBcc: x@y", "Hi\nBcc: x@y", "Hi\rBcc: x@y", "Hi\u2028Bcc: x@y", "Hi\r\n\r\nBcc: x@y"],
)
def test_eml_header_injection(subject: str) -> None:
    data = eml(TO, subject, "body")
    message = parse_eml(data)
    assert message["Bcc"] is None
    assert message["Subject"] == "Hi Bcc: x@y"
    assert b"\nBcc" not in data
    assert message.get_content() == "body\r\n"


def test_eml_without_an_address_has_no_to_header() -> None:
    message = parse_eml(eml([], "Subject", "Body"))
    assert message["To"] is None
    assert message["X-Unsent"] == "1"


@pytest.mark.parametrize(
    ("subject", "filename"),
    [
        ("Letter to your MP", "letter-to-your-mp.eml"),
        ("Café – £5 ✓ for Órfhlaith", "cafe-5-for-orfhlaith.eml"),
        ("../../etc/passwd", "etc-passwd.eml"),
        ('a<b>c:d"e/f\\g|h?i*j', "a-b-c-d-e-f-g-h-i-j.eml"),
        ("", "letter.eml"),
        ("✓ 😀 –", "letter.eml"),
        ("CON", "letter.eml"),
        ("word " * 30, "word-" * 10 + "word.eml"),
        ("x" * 100, "x" * 56 + ".eml"),
    ],
)
def test_eml_filename(subject: str, filename: str) -> None:
    assert eml_filename(subject) == filename


@pytest.mark.parametrize("subject", ["word " * 30, "x" * 100, "ab-" * 40, "Órfhlaith " * 20])
def test_eml_filename_is_short_and_safe(subject: str) -> None:
    name = eml_filename(subject)
    assert len(name) <= 60
    assert name.endswith(".eml")
    assert not name.startswith("-")
    assert "-.eml" not in name
    assert set(name[:-4]) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_max_link_length() -> None:
    assert delivery.MAX_LINK_LENGTH == 1800


# RFC 2047 encoded-words that decode to a line break and a new header (CVE-2024-6923 on
# CPython before 3.11.10 / 3.12.5: the email package wrote the decoded break out as a header).
ENCODED_WORD_SUBJECTS = [
    "=?utf-8?q?now=0ABcc:_spy@evil.example?=",
    "=?UTF-8?Q?now=0D=0ABcc:_spy@evil.example?=",
    "=?utf-8?b?bm93CkJjYzogc3B5QGV2aWwuZXhhbXBsZQ==?=",
    "Hi =?iso-8859-1?q?x=0ABcc:_spy@evil.example?= there",
    "=?utf-8?q?caf=C3=A9?= and more",
]
MIME_HEADERS = {"MIME-Version", "Content-Type", "Content-Transfer-Encoding"}


@pytest.mark.parametrize("subject", ENCODED_WORD_SUBJECTS)
def test_eml_never_decodes_an_encoded_word_into_headers(subject: str) -> None:
    data = eml(TO, subject, "body")
    message = parse_eml(data)
    assert set(message.keys()) == {"To", "Subject", "X-Unsent"} | MIME_HEADERS
    assert len(message.keys()) == 6
    assert message["Subject"] == subject  # shown literally, as typed
    assert message["Bcc"] is None
    assert not re.search(rb"(?im)^bcc", data)
    assert [a.addr_spec for a in message["To"].addresses] == TO


@pytest.mark.parametrize(
    "subject", ["Please act", "a+b & c = 100%", "Café – £5 ✓", "x" * 300, "word " * 100]
)
def test_eml_has_exactly_its_headers(subject: str) -> None:
    data = eml(["a@x.org", "b@y.org"], subject, "Dear MP,\n\nPlease act.")
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = re.findall(r"(?m)^([^\s:]+):", head)
    assert names == ["To", "Subject", "X-Unsent", *sorted(MIME_HEADERS, key=head.index)]
    assert parse_eml(data)["Subject"] == subject


@pytest.mark.parametrize(
    "address",
    [
        "=?utf-8?q?a=0ABcc:_spy@evil.example?=@example.org",
        "spy@evil.example, mp@parliament.uk",
        "Name <spy@evil.example>",
        "mp@parliament.uk\r\nBcc: spy@evil.example",
        '"quoted"@example.org',
        "mp@parliament.uk (comment)",
    ],
)
def test_eml_puts_only_plain_addresses_in_to(address: str) -> None:
    message = parse_eml(eml([address], "Subject", "Body"))
    assert message["To"] is None  # the supporter fills it in; nothing odd is written
    assert message["Bcc"] is None


def test_eml_and_links_survive_lone_surrogates() -> None:
    data = eml(TO, "Hi \ud800", "Body \udfff")
    message = parse_eml(data)
    assert message["Subject"] == "Hi ?"
    assert message.get_content() == "Body ?\r\n"
    assert links(TO, "Hi \ud800", "Body \ud800").mailto.endswith("Body%20%3F")


def test_each_client_has_its_own_budget() -> None:
    assert delivery.BUDGETS == {
        "mailto": 1800,  # Windows' mail-link limit, with room
        "gmail": 3500,
        "outlook": 4000,
        "office365": 1800,  # no evidence found: the default
        "yahoo": 1800,  # no evidence found: the default
    }
    # A letter too long for a mail app on Windows still opens whole in Gmail and Outlook.com.
    body = "word " * 400
    result = links(TO, "Subject", body)
    assert set(result.withheld) == {"mailto", "office365", "yahoo"}
    assert unquote(parse_qs(urlsplit(result.gmail).query)["body"][0]) == body
    assert result.outlook is not None
    assert not delivery.fits(TO, "Subject", body)
    assert delivery.fits(TO, "Subject", "word " * 200)
    assert delivery.fits([], "Subject", body)  # no address: no links to be too long
