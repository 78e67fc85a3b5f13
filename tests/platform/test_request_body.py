"""A body the server cannot read is a 400 and a log line naming the kind of error, no more.

The server's own parse errors (gunicorn's, over a real socket) are in test_server_logs.py; here
any exception from ``wsgi.input`` stands for them, since the app must not depend on which.
"""

import io
import logging

import pytest


class Unreadable(io.BytesIO):
    """A request body whose every read fails, the error's text echoing what was sent."""

    def read(self, *args) -> bytes:
        raise ParseErrorOfSomeServer(self.getvalue())

    readline = read


class ParseErrorOfSomeServer(Exception):
    pass


@pytest.mark.parametrize(
    ("path", "content_type"),
    (
        ("/api/v1/campaigns/stop-facial-recognition/letters", "application/json"),
        ("/c/stop-facial-recognition/letters", "application/x-www-form-urlencoded"),
        ("/c/stop-facial-recognition/letters", "multipart/form-data; boundary=x"),
    ),
)
def test_an_unreadable_body_is_a_400_logged_by_kind(client, caplog, path, content_type):
    caplog.set_level(logging.INFO)
    sent = b'{"name": "Zyx Markerperson", "postcode": "SW1A 2AA"}'
    # Read up to its length, and read to its end as from a server that frames it (gunicorn).
    for environ in ({}, {"wsgi.input_terminated": True}):
        response = client.post(
            path,
            input_stream=Unreadable(sent),
            content_type=content_type,
            environ_overrides=environ,
        )
        assert response.status_code == 400, response.get_data(as_text=True)
    assert caplog.messages.count("Unreadable request body: ParseErrorOfSomeServer") == 2
    assert "Markerperson" not in caplog.text and "SW1A" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


def test_a_readable_body_reads_as_before(client, postcodes_io):
    for environ in ({}, {"wsgi.input_terminated": True}):
        response = client.post(
            "/api/v1/campaigns/stop-facial-recognition/letters",
            json={"postcode": "SE1 2DL", "name": "Ann", "talking_points": ["accuracy"]},
            environ_overrides=environ,
        )
        assert response.status_code == 200, response.get_data(as_text=True)
