"""One step label per page, counted the same way through the flow; one letter is "your letter"."""

import re

STEP = re.compile(r"Step (\d) of (\d)")
PAGE = "/c/stop-facial-recognition"
PLACE = {"constituency_code": "E14001085", "pfa_code": "E23000001"}


def steps(html: str) -> list[tuple[str, str]]:
    return STEP.findall(html)


def letters_form(**extra) -> dict:
    return {**PLACE, "name": "Ann Example", "talking_points": ["accuracy"], **extra}


def test_each_page_of_the_flow_has_one_step_label_counted_alike(client) -> None:
    start = client.get(PAGE).get_data(as_text=True)
    choose = client.get(PAGE, query_string={"constituency": "E14001085", "pfa": "E23000001"})
    letters = client.post(f"{PAGE}/letters", data=letters_form())
    assert steps(start) == [("1", "3")]
    assert steps(choose.get_data(as_text=True)) == [("2", "3")]
    assert steps(letters.get_data(as_text=True)) == [("3", "3")]
    assert "Last step" not in letters.get_data(as_text=True)


def test_one_letter_is_your_letter(client) -> None:
    one = client.post(
        f"{PAGE}/letters", data=letters_form(**{"recipients-offered": "1", "recipients": ["mp"]})
    ).get_data(as_text=True)
    assert "<h1>Your letter</h1>" in one and "I've sent my letter</button>" in one
    assert "Step 3 of 3: send your letter<" in one
    three = client.post(f"{PAGE}/letters", data=letters_form()).get_data(as_text=True)
    assert "<h1>Your letters</h1>" in three and "send your letters<" in three
