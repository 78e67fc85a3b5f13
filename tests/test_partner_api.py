"""The partner-facing side of the API: CORS per campaign's allowed sites, and rate limits."""

import pytest
from places import BY_AREA

from advocacy.models import CampaignRow
from advocacy.models import db

SLUG = "stop-facial-recognition"
PARTNER = "https://partner.example"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"


def allow(app, *origins: str, slug: str = SLUG) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=slug)).scalar_one()
        row.allowed_origins = list(origins)
        db.session.commit()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"/api/v1/campaigns/{SLUG}", None),
        ("post", LETTERS, BY_AREA),
    ],
)
def test_an_allowed_site_may_call_the_campaign_api(app, client, method, path, body):
    allow(app, PARTNER, "https://other.example")
    response = getattr(client, method)(path, json=body, headers={"Origin": PARTNER})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert "Origin" in response.headers.get_all("Vary")[0]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://partner.example:8443", "http://partner.example"]
)
def test_any_other_site_gets_no_cors_headers(app, client, origin):
    allow(app, PARTNER)
    response = client.post(LETTERS, json=BY_AREA, headers={"Origin": origin})
    assert response.status_code == 200  # the request itself is fine; browsers hide the answer
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_campaign_allowing_no_sites_allows_none(client):
    response = client.get(f"/api/v1/campaigns/{SLUG}", headers={"Origin": PARTNER})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_preflight_for_a_json_post(app, client):
    allow(app, PARTNER)
    headers = {
        "Origin": PARTNER,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    response = client.options(LETTERS, headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    refused = client.options(LETTERS, headers={**headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_sites_of_one_campaign_are_not_allowed_for_another(app, client, admin):
    allow(app, PARTNER)
    other = client.get("/api/v1/campaigns/no-such-campaign", headers={"Origin": PARTNER})
    assert other.status_code == 404
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_postcode_lookup_allows_the_sites_of_any_live_campaign(app, client, postcodes_io):
    allow(app, PARTNER)
    ok = client.get("/api/v1/postcodes/SE12DL", headers={"Origin": PARTNER})
    assert ok.headers["Access-Control-Allow-Origin"] == PARTNER
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status="closed"))
        db.session.commit()
    closed = client.get("/api/v1/postcodes/SE12DL", headers={"Origin": PARTNER})
    assert "Access-Control-Allow-Origin" not in closed.headers


def test_supporter_pages_send_no_cors_headers(app, client):
    allow(app, PARTNER)
    response = client.get(f"/c/{SLUG}", headers={"Origin": PARTNER})
    assert "Access-Control-Allow-Origin" not in response.headers


# --- Rate limits -------------------------------------------------------------------------------


def test_letters_are_rate_limited_per_client_with_a_json_429(limited):
    for _ in range(3):
        response = limited.post(LETTERS, json=BY_AREA)
        assert response.status_code == 200
        assert "Retry-After" not in response.headers  # only a refusal says when to retry
    refused = limited.post(LETTERS, json=BY_AREA)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "try again" in refused.get_json()["error"]["message"]
    other_client = limited.post(
        LETTERS, json=BY_AREA, environ_overrides={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other_client.status_code == 200


def test_lookups_are_rate_limited_separately(limited, postcodes_io):
    for _ in range(2):
        assert limited.get("/api/v1/postcodes/SE12DL").status_code == 200
    refused = limited.get("/api/v1/postcodes/M11AD")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert limited.post(LETTERS, json=BY_AREA).status_code == 200  # its own budget
