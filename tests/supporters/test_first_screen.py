"""The campaign page puts the postcode box first: a sentence or two above it, the rest after."""

import pytest

from advocacy.letters.sanitize import LEAD_MAX_CHARS
from advocacy.letters.sanitize import lead_and_rest

SHORT = "<p>Write to your MP <strong>today</strong>.</p>"
LONG = "<p>" + "word " * (LEAD_MAX_CHARS // 5 + 1) + "</p>"


@pytest.mark.parametrize(
    ("html", "lead", "rest"),
    [
        (SHORT + "<p>More.</p><ul><li>x</li></ul>", SHORT, "<p>More.</p><ul><li>x</li></ul>"),
        (SHORT, SHORT, ""),
        (LONG + "<p>More.</p>", "", LONG + "<p>More.</p>"),  # too long to go before the box
        ("<h2>Why</h2><p>Short.</p>", "", "<h2>Why</h2><p>Short.</p>"),  # not a paragraph first
        ("", "", ""),
    ],
)
def test_the_lead_is_a_short_first_paragraph(html: str, lead: str, rest: str) -> None:
    assert lead_and_rest(html) == (lead, rest)


def test_the_campaign_page_has_the_form_between_lead_and_rest(client) -> None:
    page = client.get("/c/stop-facial-recognition").get_data(as_text=True)
    lead = page.index("summary--lead")
    form = page.index('id="postcode"')
    why = page.index("Why this matters")
    assert lead < form < why
    assert page.index("In April 2026 the High Court") > form
