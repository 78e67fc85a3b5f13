"""Letters in Welsh through the API: "language": "cy" for a campaign that has Welsh, and its
messages for supporters in Welsh when a request asks for it."""

from catalogues import read_catalogue

SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
SUPPORTER = {"name": "Siân Prys", "talking_points": ["what-is-lfr", "senedd"]}


def test_letters_for_a_welsh_postcode_in_welsh_begin_annwyl(client, postcodes_io) -> None:
    response = client.post(LETTERS, json={**SUPPORTER, "postcode": "CF24 3AA", "language": "cy"})
    assert response.status_code == 200, response.get_json()
    letters = response.get_json()["letters"]
    assert {letter["recipient"]["role"] for letter in letters} == {
        "mp",
        "police_force",
        "police_oversight",
    }
    for letter in letters:
        assert letter["body"].startswith("Annwyl ")
        assert "Yn gywir,\nSiân Prys" in letter["body"]
        assert "Dear" not in letter["body"] and "Yours sincerely" not in letter["body"]
    greetings = {letter["recipient"]["role"]: letter["body"].split("\n")[0] for letter in letters}
    assert greetings["police_force"] == "Annwyl Brif Gwnstabl,"
    assert greetings["police_oversight"] == "Annwyl Gomisiynydd,"


def test_english_unless_asked(client, postcodes_io) -> None:
    response = client.post(LETTERS, json={**SUPPORTER, "postcode": "CF24 3AA"})
    assert all(letter["body"].startswith("Dear ") for letter in response.get_json()["letters"])


def test_a_language_the_campaign_lacks_is_a_400_naming_the_field(client) -> None:
    response = client.post(
        LETTERS,
        json={
            **SUPPORTER,
            "constituency_code": "W07000089",
            "pfa_code": "W15000003",
            "language": "fr",
        },
    )
    assert response.status_code == 400
    assert "language" in response.get_json()["error"]["fields"]


def test_the_campaign_in_welsh(client) -> None:
    english = client.get(f"/api/v1/campaigns/{SLUG}").get_json()
    assert english["languages"] == ["en", "cy"] and english["language"] == "en"
    welsh = client.get(f"/api/v1/campaigns/{SLUG}", query_string={"language": "cy"}).get_json()
    assert welsh["language"] == "cy" and welsh["title"].startswith("Atal")
    assert client.get(f"/api/v1/campaigns/{SLUG}?language=fr").status_code == 400


def test_welsh_letters_with_the_default_points_open_in_one_click(client) -> None:
    """Welsh percent-encodes longer (â is %C3%A2): the letters still fit one mailto link."""
    defaults = ["what-is-lfr", "accuracy", "no-legal-basis"]
    answers = {"why": "Dw i ddim eisiau i'm hwyneb gael ei sganio.", "local": "y stadiwm"}
    cardiff = {"constituency_code": "W07000089", "pfa_code": "W15000003"}
    body = {**SUPPORTER, **cardiff, "talking_points": defaults, "answers": answers}
    response = client.post(LETTERS, json={**body, "language": "cy"})
    emailed = [letter for letter in response.get_json()["letters"] if letter["to"]]
    assert len(emailed) == 2  # the MP and the commissioner; South Wales Police: its web form
    for letter in emailed:
        assert letter["links"]["mailto"] and not letter["too_long"]
        assert "%C3%A2" in letter["links"]["mailto"]  # the Welsh in it


def welsh(msgid: str) -> str:
    return read_catalogue("cy")[msgid].string


def test_messages_for_supporters_follow_the_language_asked(welsh_app) -> None:
    """A partner's Welsh form shows the API's messages as they come: in Welsh when it asks."""
    client = welsh_app.test_client()
    cardiff = {"constituency_code": "W07000089", "pfa_code": "W15000003"}
    body = {**SUPPORTER, **cardiff, "name": "", "talking_points": []}
    error = client.post(LETTERS, json={**body, "language": "cy"}).get_json()["error"]
    assert error["message"] == welsh("Some of the details need another look.")
    assert error["fields"]["name"] == [welsh("Enter your name.")]
    assert error["fields"]["talking_points"] == [welsh("Tick at least one point to make.")]
    english = client.post(LETTERS, json=body).get_json()["error"]
    assert english["fields"]["name"] == ["Enter your name."]
    # The browser's language is not asked for: a partner's English form stays English.
    asked_by_browser = client.post(LETTERS, json=body, headers={"Accept-Language": "cy"})
    assert asked_by_browser.get_json()["error"]["fields"]["name"] == ["Enter your name."]


def test_a_postcode_error_in_welsh(welsh_app) -> None:
    client = welsh_app.test_client()
    response = client.get("/api/v1/postcodes/nonsense", query_string={"language": "cy"})
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "invalid_postcode",
        "message": welsh("Enter a full UK postcode, like SW1A 2DD."),
    }
    english = client.get("/api/v1/postcodes/nonsense").get_json()["error"]["message"]
    assert english == "Enter a full UK postcode, like SW1A 2DD."


def test_messages_for_developers_stay_english(welsh_app) -> None:
    client = welsh_app.test_client()
    response = client.get(f"/api/v1/campaigns/{SLUG}?language=cy&nation=mars")
    assert response.get_json()["error"]["fields"]["nation"][0].startswith("Unknown nation")
    response = client.post(f"{LETTERS}?language=cy", data="{", content_type="application/json")
    assert response.get_json()["error"]["message"].startswith("Send a JSON object")


def test_welsh_letters_name_the_force_in_welsh(client) -> None:
    cardiff = {"constituency_code": "W07000089", "pfa_code": "W15000003"}
    response = client.post(LETTERS, json={**SUPPORTER, **cardiff, "language": "cy"})
    letters = response.get_json()["letters"]
    text = " ".join(letter["subject"] + letter["body"] for letter in letters)
    assert "Heddlu De Cymru" in text and "South Wales Police" not in text
