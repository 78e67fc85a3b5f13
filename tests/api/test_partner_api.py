"""The partner-facing side of the API: CORS per campaign's allowed sites, and rate limits."""

import dataclasses

import pytest
from app_config import settings_for
from fake_clock import FakeClock
from places import BY_AREA
from sqlalchemy import event

from advocacy import create_app
from advocacy.platform import models
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.platform.schema import example_campaign

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


@pytest.mark.parametrize("path", ["/api/v1/postcodes/SE12DL", "/api/v1/openapi.json"])
def test_routes_of_no_campaign_allow_the_sites_of_live_campaigns_only(
    app, client, path, postcodes_io
):
    allow(app, PARTNER)
    add_campaigns(app, 3, status="draft")
    for origin, allowed in ((PARTNER, True), (site(1), False), ("https://evil.example", False)):
        response = client.get(path, headers={"Origin": origin})
        assert response.status_code == 200
        assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
        assert "Origin" in response.headers.get_all("Vary")[0]


# --- What answering CORS costs -----------------------------------------------------------------


def site(i: int) -> str:
    return f"https://site{i}.example"


def add_campaigns(app, count: int, status: str = "live") -> None:
    """``count`` more campaigns like the example, ``campaign-<i>`` allowing ``site(i)`` only."""
    with app.app_context():
        for i in range(count):
            campaign = dataclasses.replace(
                example_campaign(),
                slug=f"campaign-{i}",
                title=f"Campaign {i}",
                status=status,
                allowed_origins=(site(i),),
            )
            store.create(campaign, author="test")


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The slugs of the campaigns loaded from the database (and parsed), in order."""
    loaded: list[str] = []
    to_campaign = CampaignRow.to_campaign

    def counting(row: CampaignRow):
        loaded.append(row.slug)
        return to_campaign(row)

    monkeypatch.setattr(CampaignRow, "to_campaign", counting)
    return loaded


def queries(app) -> list[str]:
    """The SQL statements the app runs from now on (the list grows as it runs them)."""
    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_cors_on_the_postcode_lookup_loads_no_campaign(app, client, postcodes_io, loads):
    """Any Origin used to load and parse every live campaign, on every request."""
    add_campaigns(app, 20)
    assert client.get("/api/v1/postcodes/SE12DL").status_code == 200  # the lookup is cached
    loads.clear()
    sql = queries(app)
    for i in (0, 7, 19):
        response = client.get("/api/v1/postcodes/SE12DL", headers={"Origin": site(i)})
        assert response.headers["Access-Control-Allow-Origin"] == site(i)
    response = client.get("/api/v1/postcodes/SE12DL", headers={"Origin": site(20)})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert loads == []
    # This app compares with the database on every request (CACHE_CHECK_SECONDS=0): one query.
    campaign_queries = [q for q in sql if "campaign" in q or "talking_point" in q]
    assert len(campaign_queries) == 4, sql
    assert all(q.startswith("SELECT campaign.allowed_origins \n") for q in campaign_queries)


def test_cors_for_one_campaign_loads_that_campaign_only(app, client, loads):
    add_campaigns(app, 20)
    loads.clear()
    sql = queries(app)
    path = "/api/v1/campaigns/campaign-7"
    response = client.get(path, headers={"Origin": site(7)})
    assert response.headers["Access-Control-Allow-Origin"] == site(7)
    preflight = {"Origin": site(7), "Access-Control-Request-Method": "POST"}
    response = client.options(f"{path}/letters", headers=preflight)
    assert response.headers["Access-Control-Allow-Origin"] == site(7)
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    for origin in (site(8), PARTNER):
        response = client.get(path, headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers
        response = client.options(f"{path}/letters", headers={**preflight, "Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers
    assert loads == ["campaign-7"]
    assert not [q for q in sql if "WHERE campaign.status" in q], sql  # no list of live ones


def test_the_sites_of_live_campaigns_are_kept_like_the_campaigns(tmp_path, monkeypatch):
    """Compared with the database at most every CACHE_CHECK_SECONDS; this worker's own saves
    show at once, another worker's within that time."""
    clock = FakeClock(1000.0)
    monkeypatch.setattr(models, "clock", clock)
    settings = settings_for(tmp_path / "shared.sqlite", CACHE_CHECK_SECONDS=60)
    worker, other = create_app(settings), create_app(settings)
    client = worker.test_client()

    def allowed(origin: str) -> bool:
        response = client.get("/api/v1/openapi.json", headers={"Origin": origin})
        return response.headers.get("Access-Control-Allow-Origin") == origin

    assert not allowed(PARTNER)
    sql = queries(worker)
    assert not allowed(PARTNER)
    assert sql == []  # not due: no query at all
    allow(other, PARTNER)  # a hand-made change, as another worker's save would be
    clock.now += 59
    assert not allowed(PARTNER)
    clock.now += 1
    assert allowed(PARTNER)
    add_campaigns(worker, 1)  # this worker's own save
    assert allowed(site(0))
    with other.app_context():
        db.session.execute(db.update(CampaignRow).values(status="closed"))
        db.session.commit()
    clock.now += 60
    assert not allowed(PARTNER)
    assert not allowed(site(0))


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
