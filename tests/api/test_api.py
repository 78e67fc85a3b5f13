"""The JSON API v1 contract, its errors, and that no input produces a 500."""

import pytest
import requests
from app_config import settings_for

from advocacy import create_app
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"


def letters_request(**changes):
    body = {
        "postcode": "SE1 2DL",
        "name": "Ann Example",
        "talking_points": ["accuracy", "bridges-ruling"],
        "answers": {"why": "My daughter protests & I worry."},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("postcode", "country", "constituency", "mp", "force", "oversight_kind"),
    (
        ("se1 2dl", "England", "E14001085", "Neil Coyle", "Metropolitan Police Service", "mayor"),
        ("BR87RE", "England", "E14001465", "Laura Trott", "Kent Police", "pcc"),
        (
            "SW1A 2DD",
            "England",
            "E14001172",
            "Rachel Blake",
            "Metropolitan Police Service",
            "mayor",
        ),
        ("CF24 3AA", "Wales", "W07000089", "Jo Stevens", "South Wales Police", "pcc"),
        (
            "AB10 1AB",
            "Scotland",
            "S14000061",
            "Douglas Lumsden",
            "Police Scotland",
            "police_authority",
        ),
        (
            "BT53 7HX",
            "Northern Ireland",
            "N05000012",
            "Jim Allister",
            "Police Service of Northern Ireland",
            "policing_board",
        ),
    ),
)
def test_postcode_lookup_in_every_nation(
    client, postcodes_io, postcode, country, constituency, mp, force, oversight_kind
):
    response = client.get(f"/api/v1/postcodes/{postcode}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["country"] == country
    assert data["constituency"]["code"] == constituency
    assert data["mp"]["name"] == mp
    assert data["police_force"]["name"] == force
    assert data["police_oversight"]["kind"] == oversight_kind
    assert set(data) == {
        "postcode",
        "country",
        "constituency",
        "mp",
        "police_force",
        "police_oversight",
    }


def test_postcode_lookup_shape(client, postcodes_io):
    data = client.get("/api/v1/postcodes/SE1%202DL").get_json()
    assert data == {
        "postcode": "SE1 2DL",
        "country": "England",
        "constituency": {"code": "E14001085", "name": "Bermondsey and Old Southwark"},
        "mp": {"name": "Neil Coyle", "party": "Labour", "email": "neil.coyle.mp@parliament.uk"},
        "police_force": {
            "code": "E23000001",
            "name": "Metropolitan Police Service",
            "website": "https://www.met.police.uk/",
        },
        "police_oversight": {
            "kind": "mayor",
            "name": "Mayor's Office for Policing and Crime (Mayor of London)",
            "email": None,
            "postal_address": None,
        },
    }


@pytest.mark.parametrize(
    ("postcode", "name", "address"),
    (
        (
            "AB10 1AB",
            "Scottish Police Authority",
            "Scottish Police Authority, 1 Pacific Quay, Glasgow G51 1DZ",
        ),
        (
            "BT53 7HX",
            "Northern Ireland Policing Board",
            "Northern Ireland Policing Board, Waterside Tower, 31 Clarendon Road, Belfast BT1 3BG",
        ),
    ),
)
def test_postcode_lookup_gives_a_postal_address_where_a_body_takes_letters_by_post(
    client, postcodes_io, postcode, name, address
):
    """As the letters API's recipient does: the SPA and the Policing Board publish no email."""
    oversight = client.get(f"/api/v1/postcodes/{postcode}").get_json()["police_oversight"]
    assert oversight == {
        "kind": oversight["kind"],
        "name": name,
        "email": None,
        "postal_address": address,
    }
    letters = client.post(
        "/api/v1/campaigns/stop-facial-recognition/letters",
        json={"postcode": postcode, "name": "Ann Example", "talking_points": ["what-is-lfr"]},
    ).get_json()["letters"]
    recipient = next(
        x["recipient"] for x in letters if x["recipient"]["role"] == "police_oversight"
    )
    assert recipient["postal_address"] == oversight["postal_address"]


@pytest.mark.parametrize(
    ("postcode", "status", "code"),
    (
        ("FOO", 400, "invalid_postcode"),
        ("SW1A", 400, "invalid_postcode"),
        ("..%2F..%2Fetc", 400, "invalid_postcode"),
        ("a/b/c", 400, "invalid_postcode"),
        ("%0A%0D", 400, "invalid_postcode"),  # line breaks: an invalid postcode, not a 404
        ("SE1%0A", 400, "invalid_postcode"),
        ("ID1 1QE", 404, "postcode_not_found"),
        ("AB1 0AA", 404, "postcode_terminated"),
        ("JE2 4WD", 422, "outside_coverage"),
        ("BF1 4FB", 422, "outside_coverage"),  # BFPO: a valid postcode with no constituency
        ("bfpo 1234", 422, "outside_coverage"),
        ("SW1A 1AA", 503, "lookup_unavailable"),  # not recorded: the fake raises ConnectionError
    ),
)
def test_postcode_lookup_errors(client, postcodes_io, postcode, status, code):
    response = client.get(f"/api/v1/postcodes/{postcode}")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert len(error["message"]) > 20


def test_invalid_postcode_never_reaches_postcodes_io(client, postcodes_io):
    client.get("/api/v1/postcodes/FOO")
    client.get("/api/v1/postcodes/BF1 4FB")
    client.get("/api/v1/postcodes/SW1A 1AA/../x")
    assert len(postcodes_io.calls) == 0


def test_lookup_down_says_when_to_retry(client, postcodes_io):
    postcodes_io.get("https://postcodes.test/postcodes/SW1A1AA", body=requests.ConnectTimeout())
    response = client.get("/api/v1/postcodes/SW1A1AA")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"  # the breaker's cool-down


def test_retry_after_follows_the_breakers_cool_down(tmp_path, postcodes_io):
    app = create_app(settings_for(tmp_path / "t.sqlite", POSTCODES_BREAKER_COOLDOWN=7.5))
    postcodes_io.get("https://postcodes.test/postcodes/SW1A1AA", body=requests.ConnectTimeout())
    response = app.test_client().get("/api/v1/postcodes/SW1A1AA")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "8"


def test_campaign(client):
    data = client.get(f"/api/v1/campaigns/{SLUG}").get_json()
    assert set(data) == {
        "slug",
        "languages",
        "language",
        "title",
        "organiser",
        "summary",
        "summary_html",
        "targets",
        "needs_postcode",
        "nations",
        "talking_points",
        "prompts",
    }
    assert data["slug"] == SLUG
    assert data["targets"] == ["mp", "police_oversight", "police_force"]
    assert len(data["talking_points"]) >= 6
    assert data["talking_points"][1]["id"] == "accuracy"
    assert data["talking_points"][1]["label"] == "Innocent people are wrongly flagged"
    assert data["nations"] == ["england", "wales", "scotland", "northern_ireland"]
    assert [p["id"] for p in data["prompts"]] == ["why", "local"]


def test_campaign_summary_as_markdown_beside_its_html(app, client):
    data = client.get(f"/api/v1/campaigns/{SLUG}").get_json()
    # The example's summary was written in HTML: the API gives it as Markdown too.
    assert "**live facial recognition**" in data["summary"]
    assert "<strong>live facial recognition</strong>" in data["summary_html"]
    with app.app_context():
        db.session.execute(
            db.update(CampaignRow).values(
                summary="Read *this* <b>now</b>.",
                summary_html="<p>Read <em>this</em> &lt;b&gt;now&lt;/b&gt;.</p>",
            )
        )
        db.session.commit()
    data = client.get(f"/api/v1/campaigns/{SLUG}").get_json()
    assert data["summary"] == "Read *this* <b>now</b>."  # as staff typed it: text, not HTML
    assert data["summary_html"] == "<p>Read <em>this</em> &lt;b&gt;now&lt;/b&gt;.</p>"


@pytest.mark.parametrize("status", ("draft", "closed"))
def test_only_live_campaigns_are_found(app, client, status):
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status=status))
        db.session.commit()
    for response in (
        client.get(f"/api/v1/campaigns/{SLUG}"),
        client.post(LETTERS, json=letters_request()),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "campaign_not_found"


def test_letters_by_postcode(client, postcodes_io):
    response = client.post(LETTERS, json=letters_request())
    assert response.status_code == 200
    letters = response.get_json()["letters"]
    assert [item["recipient"]["role"] for item in letters] == [
        "mp",
        "police_oversight",
        "police_force",
    ]
    mp = letters[0]
    assert mp["recipient"] == {
        "role": "mp",
        "name": "Neil Coyle",
        "email": "neil.coyle.mp@parliament.uk",
        "contact_url": None,
        "website": None,
        "postal_address": None,
    }
    assert mp["to"] == ["neil.coyle.mp@parliament.uk"]
    assert mp["body"].startswith("Dear Neil Coyle,\n\n")
    assert "My daughter protests & I worry." in mp["body"]
    assert mp["body"].endswith("Ann Example\nSE1 2DL")
    assert set(mp["links"]) == {"mailto", "gmail", "outlook", "office365", "yahoo"}
    # A force takes letters through its contact page: no address, so no links at all.
    force = letters[2]
    assert force["to"] == []
    assert force["recipient"]["contact_url"] == (
        "https://www.met.police.uk/contact/af/contact-us-beta/contact-us/"
    )
    assert force["recipient"]["website"] == "https://www.met.police.uk/"
    assert set(force["links"].values()) == {None}


def test_short_letter_gets_every_link(client, postcodes_io):
    response = client.post(LETTERS, json=letters_request(talking_points=["cost"], answers={}))
    mp = response.get_json()["letters"][0]
    assert mp["too_long"] is False
    assert mp["links"]["mailto"].startswith("mailto:neil.coyle.mp@parliament.uk?subject=")
    assert mp["links"]["gmail"].startswith("https://mail.google.com/mail/?view=cm&fs=1&to=")


def test_long_letter_falls_back_to_copy_and_open(client, postcodes_io):
    england = client.get(f"/api/v1/campaigns/{SLUG}", query_string={"nation": "england"})
    points = [p["id"] for p in england.get_json()["talking_points"]]
    # Every point and two long answers: no phrasing is short enough, and no word is dropped.
    answers = {"why": "It matters to me. " * 110, "local": "the high street " * 120}
    wanted = letters_request(talking_points=points, answers=answers)
    mp = client.post(LETTERS, json=wanted).get_json()["letters"][0]
    assert answers["why"].strip() in mp["body"]
    assert mp["too_long"] is True
    assert set(mp["links"].values()) == {None}
    assert mp["open_links"]["mailto"].startswith("mailto:neil.coyle.mp@parliament.uk?subject=")
    assert mp["open_links"]["mailto"].endswith("&body=")


def test_letters_by_chosen_areas_when_lookup_is_down(client, postcodes_io):
    assert client.post(LETTERS, json=letters_request(postcode="SW1A 1AA")).status_code == 503
    response = client.post(
        LETTERS,
        json=letters_request(postcode=None, constituency_code="W07000089", pfa_code="W15000003"),
    )
    assert response.status_code == 200
    letters = response.get_json()["letters"]
    assert [item["recipient"]["name"] for item in letters] == [
        "Jo Stevens",
        "South Wales Police and Crime Commissioner",
        "South Wales Police",
    ]


def test_letters_outside_coverage(client, postcodes_io):
    response = client.post(LETTERS, json=letters_request(postcode="JE2 4WD"))
    assert response.status_code == 422
    assert "Channel Islands" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    (
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Ann\x00"}, "name"),
        ({"talking_points": ["nope"]}, "talking_points"),
        ({"talking_points": "accuracy"}, "talking_points"),
        ({"talking_points": []}, "talking_points"),
        ({"answers": {"why": "x" * 2001}}, "answers.why"),
        ({"answers": {"nope": "x"}}, "answers"),
        ({"answers": ["x"]}, "answers"),
        ({"address": {"a": 1}}, "address"),
        (
            {"postcode": None, "constituency_code": "E1400", "pfa_code": "E23000001"},
            "constituency_code",
        ),
        ({"postcode": None, "constituency_code": "E14001085"}, "pfa_code"),
        (
            {"postcode": None, "constituency_code": "E99999998", "pfa_code": "E23000001"},
            "constituency_code",
        ),
        ({"postcode": None, "constituency_code": "E14001085", "pfa_code": "E23000099"}, "pfa_code"),
    ),
)
def test_letters_invalid_input(client, postcodes_io, changes, field):
    response = client.post(LETTERS, json=letters_request(**changes))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["fields"]
    assert all(isinstance(m, str) and m for m in error["fields"][field])


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    (
        (b"not json", "application/json", 400),
        (b'{"name": "Ann"', "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'"a string"', "application/json", 400),
        (b"null", "application/json", 400),
        (b"\xff\xfe\xfa not utf-8", "application/json", 400),
        (b'{"name": "\xff"}', "application/json", 400),
        (b"name=Ann", "application/x-www-form-urlencoded", 400),
        (b'{"postcode": {"$gt": ""}, "name": "Ann"}', "application/json", 400),
        (
            b'{"postcode": 12345, "name": "Ann", "talking_points": ["cost"]}',
            "application/json",
            400,
        ),
        (b'{"a": "' + b"x" * 70_000 + b'"}', "application/json", 413),
    ),
)
def test_malformed_bodies_get_a_clear_4xx(client, postcodes_io, data, content_type, status):
    response = client.post(LETTERS, data=data, content_type=content_type)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] in ("invalid_input", "payload_too_large")
    assert error["message"]


def test_unknown_api_route_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json(client):
    response = client.get(LETTERS)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_the_areas_are_the_lists_a_form_offers_when_the_lookup_is_down(client):
    data = client.get("/api/v1/areas").get_json()
    constituencies = {c["name"]: c for c in data["constituencies"]}
    forces = {a["force"]: a for a in data["police_force_areas"]}
    assert len(constituencies) == 650 and len(forces) == 45
    assert [c["country"] for c in data["constituencies"]][:1] == ["England"]
    bermondsey = constituencies["Bermondsey and Old Southwark"]
    met = forces["Metropolitan Police Service"]
    assert (bermondsey["code"], met["code"]) == ("E14001085", "E23000001")
    body = {
        "constituency_code": bermondsey["code"],
        "pfa_code": met["code"],
        "name": "Ann",
        "talking_points": ["accuracy"],
    }
    letters = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert letters.status_code == 200
    assert len(letters.get_json()["letters"]) == 3
