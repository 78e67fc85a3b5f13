"""The example campaign's letters fit the force they are written about (issue 24, "Done when").

Over the recorded postcodes (one force of each kind: the Met, Greater Manchester and South Wales
deploy the cameras, Kent has no use on record, Police Scotland and the PSNI use none) and the
lists (Essex paused, Suffolk trialled, Gwent has none on record):

- each letter's ask fits what the force did: stop, keep the pause, don't bring them back, or
  don't start; a force with no use found is never told it uses them;
- no letter cites one fact twice, whatever points the supporter ticks (every combination);
- South Wales Police's £3.5 million is South Wales's own only in South Wales's letters.
"""

import re
from dataclasses import dataclass
from itertools import combinations

import pytest

from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import as_alternative
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Letter
from advocacy.letters.compose import Sender
from advocacy.letters.reference import force_facts
from advocacy.places import pipeline
from advocacy.places.bundled_roles import force_area_code
from advocacy.platform.models import live_campaign
from advocacy.platform.schema import example_campaign

SLUG = "stop-facial-recognition"
SOUTH_WALES = "W15000003"
ANSWERS = {"why": "I walk past the station every day.", "local": "the market square"}


@dataclass(frozen=True)
class Case:
    postcode: str | None  # a recorded postcodes.io answer, or None for the lists
    constituency_code: str | None
    pfa_code: str
    lfr_status: str

    @property
    def request(self) -> dict:
        if self.postcode:
            return {"postcode": self.postcode}
        return {"constituency_code": self.constituency_code, "pfa_code": self.pfa_code}

    def place(self):
        if self.postcode:
            return pipeline.find_place(self.postcode)
        return pipeline.chosen_place(self.constituency_code, self.pfa_code)


CASES = {
    "met-deploys": Case("SE1 2DL", None, "E23000001", "deploys"),
    "gmp-deploys": Case("M1 1AD", None, "E23000005", "deploys"),
    "south-wales-deploys": Case("CF24 3AA", None, SOUTH_WALES, "deploys"),
    "kent-unknown": Case("BR8 7RE", None, "E23000032", "unknown"),
    "scotland-none": Case("AB10 1AB", None, "S23000009", "none"),
    "northern-ireland-none": Case("BT53 7HX", None, "N99999999", "none"),
    # The lists: Southend West and Leigh in Essex, Ipswich in Suffolk, Newport East in Gwent.
    "essex-paused": Case(None, "E14001502", "E23000028", "paused"),
    "suffolk-trial": Case(None, "E14001302", "E23000025", "trial"),
    "gwent-unknown": Case(None, "W07000104", "W15000002", "unknown"),
}
CASE_PARAMS = [pytest.param(case, id=name) for name, case in CASES.items()]

# What an ask says, by what it asks of the force. Each status's letters take its own, and
# none of the others.
INTENTS = {
    "stop": re.compile(r"\bstop\b"),
    "keep the pause": re.compile(r"\bpause\b"),
    "don't bring back": re.compile(r"bring these cameras back|use them again|regular use"),
    "don't start": re.compile(
        r"do not (?:start|introduce)|keep these cameras out|require an Act|legislate first"
        r"|put a law to the Assembly|do not approve|before the PSNI decides"
    ),
}
INTENT = {
    "deploys": "stop",
    "paused": "keep the pause",
    "trial": "don't bring back",
    "unknown": "don't start",
    "none": "don't start",
}
# Words that tell a force it uses (or used) the cameras: never said where no use was found.
CLAIMS_USE = re.compile(
    r"has used|which (?:used|trialled|began|was using)|\bstop using\b|\byour (?:use|pause|trial)"
    r"|\bits (?:pause|trial)\b|\buses (?:live )?facial recognition"
)
# The same fact told twice under different names would slip past the fact ids: each of these
# marks a fact that a letter may tell once.
FACT_MARKS = {
    "the Met's ten false alerts": re.compile(r"\bten\b[^.]*wrongly flagged|wrongly flagged ten"),
    "London Bridge": re.compile(r"London Bridge|Shaun Thompson"),
    "the 2016-18 trials": re.compile(r"2016 to 2018"),
    "Champions League": re.compile(r"Champions League"),
    "South Wales's spending": re.compile(r"£3\.5 million"),
    "Bridges": re.compile(r"Court of Appeal"),
    "the 2026 High Court ruling": re.compile(r"High Court"),
    "vans 10 to 50": re.compile(r"10 to 50"),
    "Essex's pause": re.compile(r"paused"),
    "the NPL's 2023 tests": re.compile(r"National Physical Laboratory found no"),
}
# Calling money local: "here", "our area", "locally" in the sentence that gives the figure.
AS_LOCAL = re.compile(r"\b(?:here|locally|local|our area|this area)\b", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+|\n+", text) if s.strip()]


def ask_of(body: str) -> str:
    """The ask: the paragraph before the closing and the signature."""
    return body.split("\n\n")[-3]


def post_letters(client, case: Case, points: list[str], name="Ann Example") -> dict[str, dict]:
    response = client.post(
        f"/api/v1/campaigns/{SLUG}/letters",
        json={**case.request, "name": name, "talking_points": points, "answers": ANSWERS},
    )
    assert response.status_code == 200, response.get_json()
    return {x["recipient"]["role"]: x for x in response.get_json()["letters"]}


def offered_points(client, case: Case) -> tuple[list[str], list[str]]:
    """The example's points a supporter at this place is offered, and those ticked."""
    if case.postcode:
        query = {"postcode": case.postcode}
    else:
        query = {"nation": {"E": "england", "W": "wales"}[case.pfa_code[0]]}
    shown = client.get(f"/api/v1/campaigns/{SLUG}", query_string=query).get_json()
    every = [p["id"] for p in shown["talking_points"]]
    ticked = [p.id for p in example_campaign().talking_points if p.default_selected]
    return every, [p for p in every if p in ticked]


def test_the_cases_are_what_the_data_says():
    facts = force_facts()
    for name, case in CASES.items():
        assert facts[case.pfa_code]["lfr_status"] == case.lfr_status, name
    assert {c.lfr_status for c in CASES.values()} == {
        "deploys",
        "paused",
        "trial",
        "none",
        "unknown",
    }


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_each_ask_fits_what_the_force_did(client, postcodes_io, case: Case):
    every, ticked = offered_points(client, case)
    wanted = INTENT[case.lfr_status]
    for points in (ticked, every):
        letters = post_letters(client, case, points)
        assert set(letters) == {"mp", "police_force", "police_oversight"}
        for role, letter in letters.items():
            body = letter["body"]
            ask = ask_of(body)
            # An MP is asked about the law; where the force used the cameras, also to ask it
            # to stop (or keep its pause, or not use them again).
            if role != "mp" or wanted != "don't start":
                assert INTENTS[wanted].search(ask), (role, wanted, ask)
            for intent, words in INTENTS.items():
                if intent != wanted and not (role == "mp" and intent == "don't start"):
                    assert not words.search(ask), (role, intent, ask)
            if case.lfr_status in ("none", "unknown"):
                assert not CLAIMS_USE.search(body), (role, CLAIMS_USE.search(body))
            else:
                # What the force did, and when, from the data.
                opening = body.split("\n\n")[1]
                assert re.search(r"\bused\b|trialled|using", opening), opening
                assert re.search(r"\b20[12]\d\b", opening), opening


def facts_cited(campaign: Campaign, letter: Letter) -> list[str]:
    """The fact ids of the phrasings the letter took."""
    cited = []
    for name, index in letter.taken:
        if name.startswith("talking_points.") and index >= 0:
            point = campaign.point(name.removeprefix("talking_points."))
            fact = as_alternative(point.phrasings[index]).fact
            if fact:
                cited.append(fact)
    return cited


def check_spending(case: Case, body: str) -> None:
    """Outside South Wales, its £3.5 million is South Wales Police's, never this place's."""
    if case.pfa_code == SOUTH_WALES:
        return
    for sentence in sentences(body):
        if "3.5 million" in sentence:
            assert "South Wales Police" in sentence, sentence
            assert not AS_LOCAL.search(sentence), sentence


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_no_letter_cites_a_fact_twice_whatever_is_ticked(app, client, postcodes_io, case: Case):
    every, _ = offered_points(client, case)
    with app.test_request_context():
        campaign = live_campaign(SLUG)
        place = case.place()
        assert force_area_code(place) == case.pfa_code
        sender = Sender("Ann Example", "1 Example Street")
        answers = tuple(ANSWERS.items())
        written = 0
        for size in range(1, len(every) + 1):
            for points in combinations(every, size):
                drafts = pipeline.drafts(campaign, place, sender, Choices(points, answers))
                for draft in drafts:
                    letter, written = draft.letter, written + 1
                    cited = facts_cited(campaign, letter)
                    assert len(cited) == len(set(cited)), (points, letter.recipient.role, cited)
                    paragraphs = letter.body.split("\n\n")
                    for fact, mark in FACT_MARKS.items():
                        told = [p for p in paragraphs if mark.search(p)]
                        assert len(told) <= 1, (points, letter.recipient.role, fact, told)
                    check_spending(case, letter.body)
        assert written == 3 * (2 ** len(every) - 1)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_south_wales_spending_is_local_only_in_south_wales(client, postcodes_io, case: Case):
    every, _ = offered_points(client, case)
    if "cost" not in every:
        assert case.lfr_status == "none"  # Scotland and Northern Ireland: not offered
        return
    for name in ("Ann Example", "Bo Example", "Cy Example", "Di Example"):  # other draws
        for letter in post_letters(client, case, ["cost"], name).values():
            assert "£3.5 million" in letter["body"]
            check_spending(case, letter["body"])
            if case.pfa_code == SOUTH_WALES:
                assert "South Wales Police spent more than £3.5 million" in letter["body"]
