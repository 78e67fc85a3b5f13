"""A request body the server cannot read is the client's error (a 400), logged by kind alone.

The app reads a body through the server's parser, and gunicorn raises as it reads:
``InvalidChunkSize`` for a chunked body that is not chunk-framed, ``InvalidHeader`` for a bad
trailer, ``NoMoreData`` when the client stops short. Each one's text echoes the bytes it choked
on, a supporter's name, postcode or letter. Reaching the view as an error of ours, it made a 500
and a traceback with those bytes in the log. So ``wsgi.input`` is wrapped: whatever the
exception from reading it, the client gets a 400 and the log the exception's class name.
"""

import io
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
        raise _refused(kind)

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


def _refused(kind: str) -> UnreadableBody:
    """The 400 for a body that could not be read, logged by the exception's class name alone."""
    log.warning("Unreadable request body: %s", kind)
    return UnreadableBody()


class Unread:
    """The body of a request whose reading failed here: every read is the client's error."""

    def read(self, *args: Any) -> bytes:
        raise UnreadableBody()

    readline = readlines = readinto = read


class ReadableBodies:
    """WSGI middleware: requests that have a body get it as a ``Body``; others pay nothing.

    A body of a stated length up to ``in_memory`` bytes (a supporter's form or letters
    request) is read here in one call and handed on in memory, where Werkzeug reads it in C:
    through the server's reader and ``Body`` it took two reads of several layers each.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], in_memory: int = 0) -> None:
        self.app = app
        self.in_memory = in_memory

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH")
        if length is not None or "HTTP_TRANSFER_ENCODING" in environ:
            environ["wsgi.input"] = self._body(environ, length)
        return self.app(environ, start_response)

    def _body(self, environ: dict, length: str | None) -> Any:
        stream = environ["wsgi.input"]
        if not length or "HTTP_TRANSFER_ENCODING" in environ or not length.isdigit():
            return Body(stream)
        size = int(length)
        if not 0 < size <= self.in_memory:
            return Body(stream)
        try:
            # Fewer bytes than stated, if the client stopped short: read on from here as
            # Werkzeug would from the server (a 400, or what came where the server frames it).
            return io.BytesIO(stream.read(size))
        except Exception as exc:
            kind = type(exc).__name__
        _refused(kind)  # logged now, raised when the app reads the body
        return Unread()
