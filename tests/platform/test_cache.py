"""Tests for the in-process TTL cache; a fake clock replaces sleeping."""

import threading

import pytest

from advocacy.platform.cache import TTLCache


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_miss_returns_none() -> None:
    assert TTLCache().get("nope") is None


def test_set_then_get_returns_value() -> None:
    cache = TTLCache()
    cache.set("k", {"v": 1})
    assert cache.get("k") == {"v": 1}


def test_entry_expires_after_ttl() -> None:
    clock = FakeClock()
    cache = TTLCache(ttl=60, clock=clock)
    cache.set("k", "v")
    clock.now += 59.9
    assert cache.get("k") == "v"
    clock.now += 0.1
    assert cache.get("k") is None
    assert len(cache) == 0  # the expired entry was dropped, not just hidden


def test_set_again_refreshes_ttl_and_does_not_grow() -> None:
    clock = FakeClock()
    cache = TTLCache(ttl=60, clock=clock)
    cache.set("k", "old")
    clock.now += 50
    cache.set("k", "new")
    clock.now += 50
    assert cache.get("k") == "new"
    assert len(cache) == 1


def test_full_cache_evicts_least_recently_used() -> None:
    cache = TTLCache(maxsize=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # "a" is now more recent than "b"
    cache.set("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert len(cache) == 2


def test_overwrite_counts_as_use() -> None:
    cache = TTLCache(maxsize=2)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("a", 10)
    cache.set("c", 3)
    assert cache.get("a") == 10
    assert cache.get("b") is None


@pytest.mark.parametrize(("maxsize", "ttl"), [(0, 60), (-1, 60), (10, 0), (10, -5)])
def test_rejects_nonsense_limits(maxsize: int, ttl: float) -> None:
    with pytest.raises(ValueError):
        TTLCache(maxsize=maxsize, ttl=ttl)


def test_concurrent_use_stays_within_bounds() -> None:
    """Smoke test for the lock: many threads, no errors, size never above maxsize."""
    cache = TTLCache(maxsize=50)
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            for i in range(2000):
                cache.set(f"{n}-{i}", i)
                cache.get(f"{n}-{i - 1}")
                assert len(cache) <= 50
        except Exception as exc:  # re-raised in the main thread by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) == 50
