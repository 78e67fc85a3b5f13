"""The server we ship (gunicorn with gunicorn.conf.py) logs no postcode, query or address."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def server(tmp_path):
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
        yield base, log
        process.terminate()
        process.wait(timeout=10)


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
