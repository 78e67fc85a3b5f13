"""Welsh greetings: "Annwyl" and the title, softened as Welsh softens it; names never."""

import pytest

from advocacy.letters.addressing import mp_salutation_cy
from advocacy.places.bundled_roles import welsh_salutations
from advocacy.places.directory import Directory


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Jo Stevens", "Jo Stevens"),
        ("Ms Jo Stevens", "Jo Stevens"),
        ("Dr Rupa Huq", "Rupa Huq"),
        ("Sir James Cleverly", "Syr James"),
        ("Dame Meg Hillier", "Fonesig Meg"),
        ("Mr Stephen Doughty", "Stephen Doughty"),
    ],
)
def test_mp_greetings_in_welsh(name: str, words: str) -> None:
    assert mp_salutation_cy(name) == words


def test_the_titles_are_softened_after_annwyl() -> None:
    table = welsh_salutations()
    assert table["Chief Constable"] == "Brif Gwnstabl"
    assert table["Commissioner"] == "Gomisiynydd"
    assert table["Deputy Mayor"] == "Ddirprwy Faer"


def test_every_bundled_recipient_has_a_welsh_greeting() -> None:
    directory = Directory.from_csv()
    recipients = [
        *directory.mps.values(),
        *(area.force for area in directory.force_areas.values()),
        *(area.oversight for area in directory.force_areas.values()),
    ]
    assert len(recipients) == 650 + 2 * len(directory.force_areas)
    missing = sorted({r.salutation for r in recipients if not r.salutation_cy})
    assert not missing, f"no Welsh greeting for {missing}: add them to salutations_cy.csv"
    # No English title left untranslated in a Welsh greeting.
    english = {"Dear", "Chief", "Constable", "Commissioner", "Mayor", "Chair", "Sir", "Dame"}
    assert not {w for r in recipients for w in r.salutation_cy.split()} & english
