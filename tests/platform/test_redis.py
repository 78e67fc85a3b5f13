"""Rate limits shared through a real Redis server (scripts/redis-for-tests starts one), as when
several workers or hosts serve one campaign.

Skipped when ADVOCACY_TEST_REDIS_URL is unset, except in CI, where that is a failure.
"""

import os

import pytest
import redis
from app_config import settings_for

from advocacy import create_app

SERVER = os.environ.get("ADVOCACY_TEST_REDIS_URL")
LETTERS = "/api/v1/campaigns/stop-facial-recognition/letters"
BY_AREA = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
}

if not SERVER:
    if os.environ.get("CI"):
        pytest.fail("CI must run the Redis tests: set ADVOCACY_TEST_REDIS_URL")
    pytest.skip("ADVOCACY_TEST_REDIS_URL is not set", allow_module_level=True)


@pytest.fixture
def worker(tmp_path):
    """Makes apps that share one database and one Redis, like the workers of one deployment."""
    server = redis.Redis.from_url(SERVER)
    server.flushdb()
    yield lambda: create_app(
        settings_for(
            tmp_path / "shared.sqlite",
            RATELIMIT_STORAGE_URI=SERVER,
            API_LETTERS_RATE_LIMIT="2 per minute",
        )
    ).test_client()
    server.flushdb()
    server.close()


def test_the_count_lives_in_redis_so_another_worker_sees_it(worker):
    first = worker()
    assert first.post(LETTERS, json=BY_AREA).status_code == 200
    assert first.post(LETTERS, json=BY_AREA).status_code == 200
    # A fresh app has fresh memory: only a shared store can know this client is over its limit.
    second = worker()
    refused = second.post(LETTERS, json=BY_AREA)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other_client = second.post(
        LETTERS, json=BY_AREA, environ_overrides={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other_client.status_code == 200


def test_in_memory_counts_are_per_worker(tmp_path):
    """The contrast that makes the test above mean something: without Redis, no sharing."""

    def memory_worker():
        settings = settings_for(tmp_path / "own.sqlite", API_LETTERS_RATE_LIMIT="2 per minute")
        return create_app(settings).test_client()

    first = memory_worker()
    for _ in range(2):
        assert first.post(LETTERS, json=BY_AREA).status_code == 200
    assert memory_worker().post(LETTERS, json=BY_AREA).status_code == 200


def test_a_receipt_counted_by_one_worker_is_spent_for_every_worker(worker):
    first = worker()
    token = first.post(LETTERS, json=BY_AREA).get_json()["token"]
    sent = "/api/v1/campaigns/stop-facial-recognition/sent"
    assert first.post(sent, json={"token": token}).get_json() == {"counted": True}
    # Another worker, and another address (the first has spent its two letters requests).
    second = worker()
    again = second.post(sent, json={"token": token}, environ_overrides={"REMOTE_ADDR": "192.0.2.9"})
    assert again.get_json() == {"counted": False}
    marks = redis.Redis.from_url(SERVER).keys("*receipt*")
    assert len(marks) == 1  # the mark lives in Redis, and holds only the receipt's random number
    assert b"E14001172" not in marks[0]
