"""The letters page says at its top what is below it, by how each letter is sent."""

import re
from html import unescape

PAGE = "/c/stop-facial-recognition"
LONDON = {"constituency_code": "E14001085", "pfa_code": "E23000001"}  # MP by email; the others not


def letters(client, place, **extra):
    form = {**place, "name": "Ann Example", "talking_points": ["accuracy"], **extra}
    response = client.post(f"{PAGE}/letters", data=form)
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def overview(html: str) -> str:
    return re.search(r'<p class="overview"><strong>(.*?)</strong>', html)[1]


def test_the_overview_counts_letters_by_how_they_are_sent(client) -> None:
    london = letters(client, LONDON)
    assert overview(london) == "3 letters: 1 opens in your email, 2 go through their websites."
    one = letters(client, LONDON, **{"recipients-offered": "1", "recipients": ["mp"]})
    assert overview(one) == "1 letter: it opens in your email."


def test_a_letter_without_an_address_offers_no_email_file_and_no_update_button(client) -> None:
    html = letters(client, LONDON)
    cards = re.findall(r"<section class=\"letter\".*?</section>", html, re.S)
    assert len(cards) == 3
    for card in cards:
        has_address = "Email address:" in card
        assert ('name="eml"' in card) == has_address
        assert ("Update the send buttons after editing" in card) == has_address
    only_web = letters(
        client, LONDON, **{"recipients-offered": "1", "recipients": ["police_force"]}
    )
    assert "Changed a letter? Press this" not in only_web and 'name="eml"' not in only_web
