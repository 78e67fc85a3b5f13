"""Flask is asked once per hook or view whether it is async (advocacy.Advocacy.ensure_sync)."""

import inspect

import flask
import pytest

SLUG = "stop-facial-recognition"


def test_ensure_sync_asks_flask_once_per_function(app, monkeypatch) -> None:
    asked: list[object] = []

    def flasks(self, func):
        asked.append(func)
        return lambda *args, **kwargs: func(*args, **kwargs)  # a new wrapper every time

    monkeypatch.setattr(flask.Flask, "ensure_sync", flasks)

    def view() -> str:
        return "view"

    def hook() -> str:
        return "hook"

    first = app.ensure_sync(view)
    assert app.ensure_sync(view) is first
    assert first() == "view"
    assert app.ensure_sync(hook) is not first
    assert app.ensure_sync(hook)() == "hook"
    assert asked == [view, hook]


def test_ensure_sync_gives_a_sync_function_back_as_it_is(app) -> None:
    def view() -> str:
        return "view"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view


def test_ensure_sync_takes_callables_that_cannot_be_keys(app) -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self) -> str:
            return "called"

    hook = Unhashable()
    assert app.ensure_sync(hook)() == "called"
    assert app.ensure_sync(hook)() == "called"


async def coroutine_view() -> str:
    return "async view"


def test_a_coroutine_function_is_still_wrapped(app) -> None:
    pytest.importorskip("asgiref")
    assert inspect.iscoroutinefunction(coroutine_view)
    synced = app.ensure_sync(coroutine_view)
    assert synced is not coroutine_view
    assert not inspect.iscoroutinefunction(synced)
    assert synced() == "async view"
    assert app.ensure_sync(coroutine_view) is synced


def test_without_asgiref_a_coroutine_function_is_refused_not_passed_through(app) -> None:
    try:
        import asgiref  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("asgiref is installed: the test above runs instead")
    for _ in range(2):  # a refusal is not kept as if it were an answer
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(coroutine_view)


def test_requests_run_their_hooks_and_views_through_the_cache(app, client) -> None:
    assert client.get(f"/c/{SLUG}").status_code == 200
    kept = app._synced
    assert app.view_functions["public.campaign"] in kept
    assert all(hook in kept for hook in app.after_request_funcs.get(None, []))
    size = len(kept)
    for _ in range(3):
        assert client.get(f"/c/{SLUG}").status_code == 200
    assert len(app._synced) == size  # the same functions each time: nothing new kept
