"""Links built from kept encodings (delivery._pct_body, ``shared=``) and the letter and open links
built from one encoding (links_and_open_links) are exactly the links built from scratch."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from advocacy.letters import delivery
from advocacy.letters.delivery import BUDGETS
from advocacy.letters.delivery import Encoded
from advocacy.letters.delivery import Links
from advocacy.letters.delivery import links
from advocacy.letters.delivery import links_and_open_links
from advocacy.letters.delivery import mailto

TO = ["mp@parliament.uk"]
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)

# Paragraphs as letters have them, and the characters that trip encoders and splitters up.
WORDS = st.sampled_from(
    ["Dear MP,", "Please act.", "Café – £5 ✓", "😀👍🏽", "a+b & c=d 100% #1?", "Órfhlaith", " ", ""]
)
AWKWARD = st.sampled_from(["\n", "\n\n", "\n\n\n", "\r", "\r\n", "\r\n\r\n", "\t", "%0A", "~._-"])
TEXT = st.lists(st.one_of(WORDS, AWKWARD, st.text(max_size=8)), max_size=12).map("".join)
ADDRESSES = st.sampled_from([TO, [], ["a@x.org", "b+c@y.org"], ["", "  "]])
SURROGATES = st.sampled_from(["\ud800", "\udfff", "\udbff\udc00"])  # lone, lone, a split pair
RAW = st.lists(st.one_of(WORDS, AWKWARD, SURROGATES, st.text(max_size=8)), max_size=12).map("".join)


def some_of(data: st.DataObject, texts: list[str]) -> set[str]:
    """A subset of ``texts``, with text from elsewhere thrown in."""
    chosen = data.draw(st.lists(st.sampled_from(texts), unique=True) if texts else st.just([]))
    return set(chosen) | data.draw(st.sets(TEXT, max_size=3))


# --- _pct_body ------------------------------------------------------------------------------------


@FAST
@given(body=TEXT, data=st.data())
def test_encoding_by_paragraph_is_encoding_the_whole(body: str, data: st.DataObject) -> None:
    shared = some_of(data, body.split(delivery.PARAGRAPH))
    whole = delivery._pct(body)
    assert whole == quote(body, safe="")
    assert delivery._pct_body(body, shared) == whole
    assert delivery._pct_body(body, ()) == whole
    assert delivery._pct_body(body, frozenset(body.split("\n\n"))) == whole  # every one kept
    assert delivery._pct_body(body, shared) == whole  # again, from the kept encodings


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\n\n",
        "\n\n\n",
        "\n\n\n\n\n",
        "a\n\n",
        "\n\na",
        "a\n\n\nb",
        "Dear MP,\n\nCafé – £5 ✓\n\n\n\nYours,\nAda",
        "%0A%0A\n\n%0A",
    ],
)
def test_paragraph_breaks_anywhere_encode_the_same(body: str) -> None:
    every = set(body.split("\n\n"))
    for shared in (every, {""}, {"a"}, {"Café – £5 ✓", "Dear MP,"}, {"\n"}):
        assert delivery._pct_body(body, shared) == quote(body, safe="") == delivery._pct(body)
    assert delivery._pct_body(body, every) == delivery._pct_body(body, every)


# --- links(..., shared=...) -----------------------------------------------------------------------


@FAST
@given(subject=RAW, body=RAW, data=st.data())
def test_links_with_shared_text_are_the_links_without(subject, body, data) -> None:
    lf = body.replace("\r\n", "\n").replace("\r", "\n")
    shared = some_of(data, [subject, *lf.split("\n\n"), *body.split("\n\n")])
    budget = data.draw(st.one_of(st.just(BUDGETS), st.integers(0, 400)))
    assert links(TO, subject, body, budget, shared=shared) == links(TO, subject, body, budget)


@FAST
@given(subject=RAW, body=RAW, to=ADDRESSES, data=st.data())
def test_letter_and_open_links_are_built_as_links_builds_them(subject, body, to, data) -> None:
    lf = body.replace("\r\n", "\n").replace("\r", "\n")
    shared = some_of(data, [subject, *lf.split("\n\n")])
    expected = (links(to, subject, body), opened(to, subject))
    assert links_and_open_links(to, subject, body, shared=shared) == expected
    assert links_and_open_links(to, subject, body) == expected
    # A tuple of addresses with a shared subject: the kept opener, asked twice (made, then kept).
    for _ in range(2):
        assert links_and_open_links(tuple(to), subject, body, shared=shared) == expected


def long_body(length: int, newline: str = "\n") -> str:
    paragraph = "Please act now. " * 6
    return (newline * 2).join([paragraph] * (length // len(paragraph) + 1))[:length]


@pytest.mark.parametrize(
    ("to", "subject", "body"),
    [
        (TO, "Subject", long_body(max(BUDGETS.values()) + 1)),  # over every budget
        (TO, "Subject", long_body(max(BUDGETS.values()) * 3)),
        (TO, "Subject", long_body(1700)),  # over some budgets: only some links withheld
        (TO, "Subject", long_body(2200)),  # longer than some budgets before encoding, too
        (TO, "Subject", "a" * 3400),
        (TO, "Café ✓", "Café – £5 ✓ " * 150),  # non-ASCII, three times as long encoded
        (TO, "Subject", long_body(1200, "\r\n")),  # CRLF: longer before it is made LF
        (TO, "Subject", long_body(1200, "\r")),
        (TO, "Sübject ✓ 😀", "Dear MP,\r\n\r\nCafé – £5\r\rYours,\rAda"),
        (TO, "Hi \ud800", "Body \udfff\n\nMore \ud800\n\n\ud800"),
        (TO, "Line\nbreaks\r\nin\u2028subject", "Dear MP,\n\nPlease act."),
        (TO, "x" * 5000, "Dear MP,"),  # a subject over every budget
        ([], "Subject", "Dear MP,\n\nPlease act."),
        ([""], "Subject", long_body(9000)),
        (["  ", "a@x.org"], "Subject", ""),
        (["first+tag@x.org", "b@y.org"], "Café", "Dear both,\n\nPlease act."),
    ],
)
def test_letter_and_open_links_for_awkward_letters(to, subject, body) -> None:
    expected = (links(to, subject, body), opened(to, subject))
    lf = body.replace("\r\n", "\n").replace("\r", "\n")
    for shared in ((), {subject}, set(lf.split("\n\n")), {subject, *lf.split("\n\n")}):
        for addresses in (to, tuple(to), tuple(to)):  # a tuple's opener is kept: made, then kept
            assert links_and_open_links(addresses, subject, body, shared=shared) == expected


def opened(to, subject: str) -> Links:
    """The open links: address and subject, or the address alone where the subject is too long."""
    with_subject, bare = links(to, subject, ""), links(to, "", "")
    if not with_subject.withheld:
        return with_subject
    kinds = {kind: getattr(with_subject, kind) or getattr(bare, kind) for kind in BUDGETS}
    return Links(**kinds, withheld=bare.withheld)


def test_a_subject_too_long_for_any_link_still_leaves_one_to_press() -> None:
    """An edited subject of 500 emoji is over every budget even without the body: each open link
    then starts a message to the address, for the supporter to paste into."""
    subject = "\U0001f600" * 500
    assert links(TO, subject, "").withheld == tuple(BUDGETS)
    whole, opener = links_and_open_links(TO, subject, "Dear MP,")
    assert whole.withheld == tuple(BUDGETS)
    assert not opener.withheld
    assert opener.mailto == "mailto:mp@parliament.uk?subject=&body="
    assert all(opener.as_dict().values())


def test_the_cases_above_cover_every_outcome() -> None:
    """Bodies over every budget, over some, and none: each outcome of the shortcut is met."""
    over_all = links(TO, "Subject", long_body(max(BUDGETS.values()) + 1))
    assert over_all == Links(withheld=tuple(BUDGETS))
    some = links(TO, "Subject", long_body(1700))
    assert some.too_long and set(some.withheld) < set(BUDGETS)
    for body in (long_body(2200), "a" * 3400):  # longer than mailto's budget, still in Gmail's
        assert len(body) > BUDGETS["mailto"]
        assert links(TO, "Subject", body).gmail is not None
    whole, opener = links_and_open_links(TO, "Subject", long_body(9000))
    assert whole == over_all
    assert not opener.too_long and opener.mailto == "mailto:mp@parliament.uk?subject=Subject&body="
    assert links_and_open_links([], "Subject", "Body") == (Links(), Links())


# --- The mailto path, kept per address list -------------------------------------------------------


def test_each_address_list_has_its_own_mailto_path() -> None:
    cases = {
        ("a@x.org",): "a@x.org",
        ("b@y.org",): "b@y.org",
        ("a@x.org", "b@y.org"): "a@x.org,b@y.org",
        ("b@y.org", "a@x.org"): "b@y.org,a@x.org",
        ("first+tag@x.org",): "first%2Btag@x.org",
        ("a@x.org", "first+tag@x.org"): "a@x.org,first%2Btag@x.org",
    }
    for _ in range(2):  # the second round from the kept paths
        for to, path in cases.items():
            assert mailto(list(to), "s", "b") == f"mailto:{path}?subject=s&body=b"
            assert Encoded.of(list(to), "s", "b").mailto() == f"mailto:{path}?subject=s&body=b"
            assert links(list(to), "s", "b").mailto == f"mailto:{path}?subject=s&body=b"
