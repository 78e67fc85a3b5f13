"""A request body the server cannot read is the client's error (a 400), logged by kind alone.

The app reads a body through the server's parser, and gunicorn raises as it reads:
``InvalidChunkSize`` for a chunked body that is not chunk-framed, ``InvalidHeader`` for a bad
trailer, ``NoMoreData`` when the client stops short. Each one's text echoes the bytes it choked
on, a supporter's name, postcode or letter. Reaching the view as an error of ours, it made a 500
and a traceback with those bytes in the log. So ``wsgi.input`` is wrapped: whatever the
exception from reading it, the client gets a 400 and the log the exception's class name.
"""

import logging
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

from werkzeug.exceptions import BadRequest

log = logging.getLogger(__name__)


class UnreadableBody(BadRequest):
    description = "The request's body could not be read."


class Body:
    """``wsgi.input`` with every read's exception (any class) turned into ``UnreadableBody``."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _read(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except Exception as exc:
            kind = type(exc).__name__
        # Raised out here, so the exception (and its text) is not even this one's context.
        log.warning("Unreadable request body: %s", kind)
        raise UnreadableBody()

    def read(self, *args: Any) -> bytes:
        return self._read(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._read(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._read(self._stream.readlines, *args)

    def readinto(self, buffer: Any) -> int:
        """Through ``read``, whether or not the stream has its own (gunicorn's has not)."""
        data = self.read(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ReadableBodies:
    """WSGI middleware: requests that have a body get it as a ``Body``; others pay nothing."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if "CONTENT_LENGTH" in environ or "HTTP_TRANSFER_ENCODING" in environ:
            environ["wsgi.input"] = Body(environ["wsgi.input"])
        return self.app(environ, start_response)
