"""The editor's Insert menu: placeholders offered in plain words (issue 26, item 10). The menu
is built by studio.js from the form's data-insert-menu; without JavaScript the hint above the
letter lists the placeholders in braces."""

import html as htmllib
import json
import re

from advocacy.letters import campaigns
from advocacy.letters import reference
from advocacy.studio import editor_form

EXAMPLE_ID = 1


def menu_of(page: str) -> dict[str, str]:
    raw = re.search(r'data-insert-menu="([^"]*)"', page).group(1)
    return {item["name"]: item["words"] for item in json.loads(htmllib.unescape(raw))}


def test_every_placeholder_is_offered_in_plain_words(admin):
    page = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    menu = menu_of(page)
    assert set(campaigns.PLACEHOLDERS) | set(reference.force_fact_values()) <= set(menu)
    assert menu["constituency"] == "the supporter's constituency"
    assert menu["force_name"] == "their police force"
    # The example's own place facts are offered too, by their column.
    assert menu["place.lfr_use"] == "your place fact: lfr_use"
    assert all("{" not in words and "_" not in words.split(":")[0] for words in menu.values())
    # The supporter's and the recipient's details come first.
    assert list(menu)[:2] == ["supporter_name", "recipient_name"]
    # Without JavaScript, the hint still lists them in braces.
    hint = page.split('id="placeholders-hint">')[1].split("</p>")[0]
    assert "<code>{constituency}</code>" in hint


def test_every_placeholder_has_words_of_its_own():
    assert set(campaigns.PLACEHOLDERS) <= set(editor_form.PLACEHOLDER_WORDS)


def test_a_fact_without_words_of_its_own_still_reads_as_words():
    menu = editor_form.placeholder_menu(["constituency"], ["force.arrests_made"], ["spend"])
    assert menu == [
        {"name": "constituency", "words": "the supporter's constituency"},
        {"name": "force.arrests_made", "words": "the force's arrests made"},
        {"name": "place.spend", "words": "your place fact: spend"},
    ]
