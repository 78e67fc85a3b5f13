"""The server we ship (gunicorn with gunicorn.conf.py) logs no postcode, query or address."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@contextlib.contextmanager
def running(tmp_path: Path, *options: str) -> Iterator[tuple[str, Path]]:
    """The shipped config (``gunicorn -c gunicorn.conf.py``) on a free port, one worker; the
    server's base URL and the file its stdout and stderr go to."""
    port = free_port()
    env = {
        **os.environ,
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
        # Nothing listens on port 9: every lookup fails fast, as when postcodes.io is down.
        "ADVOCACY_POSTCODES_IO_URL": "http://127.0.0.1:9",
        "ADVOCACY_POSTCODES_TIMEOUT": "0.5",
    }
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                *options,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        try:
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    with running(tmp_path) as started:
        yield started


def test_access_log_has_no_postcode_query_referrer_or_address(server):
    base, log = server
    referer = "https://partner.example/page?postcode=M1+1AD"
    assert get(f"{base}/c/stop-facial-recognition?postcode=SW1A+2AA", Referer=referer) == 200
    assert get(f"{base}/api/v1/postcodes/SW1A%202AA") == 503
    assert get(f"{base}/api/v1/postcodes/se12dl") == 503
    time.sleep(0.3)
    text = log.read_text()
    assert '"GET /c/stop-facial-recognition" 200' in text
    assert '"GET /api/v1/postcodes/[postcode]" 503' in text
    for secret in ("SW1A", "sw1a", "se12dl", "M1+1AD", "partner.example", "127.0.0.1 -", "?"):
        assert secret not in text, (secret, text)


# Sent byte for byte (urllib would re-encode them): a postcode with any encoding of any space
# or separator between its halves, and request lines gunicorn refuses and reports.
HOSTILE_REQUESTS = (
    b"GET /api/v1/postcodes/SW1A%202AA HTTP/1.1",
    b"GET /api/v1/postcodes/SW1A%C2%A02AA HTTP/1.1",
    b"GET /api/v1/postcodes/SW1A%E2%80%A82AA HTTP/1.1",
    b"GET /api/v1/postcodes/SW1A%25202AA HTTP/1.1",
    b"GET /api/v1/postcodes/SW1A%0A2AA HTTP/1.1",
    b"GET /api/v1%2Fpostcodes%2FSW1A%202AA HTTP/1.1",
    b"GET /c/x/SW1A%202AA/letters HTTP/1.1",
    b"GET /c/x/SW1A%C2%A02AA HTTP/1.1",
    b"GET /c/x/SW1A%E2%80%A82AA HTTP/1.1",
    b"GET /c/x/SW1A%E3%80%802AA HTTP/1.1",
    b"GET /c/x/SW1A%25202AA HTTP/1.1",
    b"GET /c/x/SW1A%A02AA HTTP/1.1",
    b"GET /c/x/SW1A%E2%80%8B2AA HTTP/1.1",
    b"GET /c/x/sw1a-2aa HTTP/1.1",
    b"GET /c/x/%EF%BC%B3%EF%BC%B7%EF%BC%91%EF%BC%A1%E3%80%80%EF%BC%92%EF%BC%A1%EF%BC%A1 HTTP/1.1",
    b"GET /c/x%3Fpostcode=SW1A%202AA HTTP/1.1",
    b"GET /api/v1/postcodes/SW1A 2AA HTTP/1.1",  # unencoded: gunicorn answers 400
    b"GET /c/x/SW1A\xc2\xa02AA HTTP/1.1",
)


def send(port: int, request_line: bytes) -> bytes:
    """The status line gunicorn answers a raw request line with."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request_line + b"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_log_has_no_postcode_however_the_path_encodes_it(server):
    base, log = server
    port = int(base.rsplit(":", 1)[1])
    for request_line in HOSTILE_REQUESTS:
        assert send(port, request_line).startswith(b"HTTP/1.1 "), request_line
    assert get(f"{base}/static/site.css") == 200
    time.sleep(0.3)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert '"GET /api/v1/postcodes/[postcode]" 503' in text
    assert '"GET /static/site.css" 200' in text
    readings = [text, unicodedata.normalize("NFKC", text)]
    if max(text) <= "\xff":
        utf8 = text.encode("latin-1").decode("utf-8", "replace")
        readings.append(unicodedata.normalize("NFKC", utf8))
    for reading in readings:
        for half in ("sw1a", "2aa"):
            assert half not in reading.lower(), (half, text)


MARKER = b"Zyx Markerperson"
LETTERS = b"POST /api/v1/campaigns/stop-facial-recognition/letters HTTP/1.1\r\n"
CHUNKED = b"Host: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
BODY = b'{"postcode": "SW1A 2AA", "name": "' + MARKER + b'"}'
# Bodies gunicorn cannot read, each with a supporter's words in it: sent to a view that reads
# the body (the app reads it through gunicorn's parser) and to one that does not (gunicorn reads
# it itself, to find the next request on a kept-alive connection).
UNREADABLE = (
    (LETTERS + CHUNKED + b"\r\n" + BODY + b"\r\n\r\n", "InvalidChunkSize"),
    (
        LETTERS + CHUNKED + b"\r\n2\r\n{}\r\n0\r\n" + MARKER + b" SW1A 2AA trailer\r\n\r\n",
        "InvalidHeader",
    ),
    (b"GET / HTTP/1.1\r\n" + CHUNKED + b"\r\n" + BODY + b"\r\n\r\n", None),
    (b"GET / HTTP/1.1\r\nHost: localhost\r\n" + MARKER + b" SW1A 2AA\r\n\r\n", "InvalidHeader"),
)


def exchange(port: int, request: bytes) -> list[int]:
    """Every status gunicorn answers ``request`` with, until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return [int(status) for status in re.findall(rb"^HTTP/1\.1 (\d{3}) ", answer, re.MULTILINE)]


@pytest.mark.parametrize("worker", ("as shipped", "gthread"))
def test_unreadable_requests_are_logged_by_kind_only(tmp_path, worker):
    """Gunicorn's parse errors echo what the client sent ("Invalid chunk size: b'{...}'"); the
    log says only which kind of error it was, and the client gets a 400, never a 500."""
    options = () if worker == "as shipped" else ("--worker-class", worker)
    with running(tmp_path, *options) as (base, log):
        port = int(base.rsplit(":", 1)[1])
        for request, _ in UNREADABLE:
            statuses = exchange(port, request)
            assert statuses and all(s < 500 for s in statuses), (request, statuses)
            assert statuses[-1] == 400 or request.startswith(b"GET / "), (request, statuses)
        time.sleep(0.3)
    text = log.read_text(encoding="utf-8", errors="replace")
    for kind in {kind for _, kind in UNREADABLE if kind}:
        assert kind in text, (kind, text)
    for secret in ("markerperson", "sw1a", "2aa", "trailer"):
        assert secret not in text.lower(), (secret, text)
