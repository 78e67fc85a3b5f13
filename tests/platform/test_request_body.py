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


class Counted(io.BytesIO):
    """A request body that counts the reads asked of it, and how much each asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(size)
        return super().read(size)

    def readinto(self, buffer) -> int:
        self.asked.append(len(buffer))
        return super().readinto(buffer)


LETTERS = "/api/v1/campaigns/stop-facial-recognition/letters"
WANTED = b'{"postcode": "SE1 2DL", "name": "Ann", "talking_points": ["accuracy"]}'


def test_a_supporters_body_is_read_once_for_its_stated_length(client, postcodes_io):
    for environ in ({}, {"wsgi.input_terminated": True}):
        sent = Counted(WANTED)
        response = client.post(
            LETTERS, input_stream=sent, content_type="application/json", environ_overrides=environ
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert sent.asked == [len(WANTED)]


def test_a_body_over_the_supporters_limit_is_read_as_the_server_gives_it(app, client):
    """Bigger than any supporter's request (a studio import): not read ahead, and a supporter
    route still refuses it as too large."""
    big = b'{"name": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    sent = Counted(big)
    response = client.post(LETTERS, input_stream=sent, content_type="application/json")
    assert response.status_code == 413
    assert sent.asked == []  # refused by its length, never read


def test_a_body_shorter_than_it_says_is_the_clients_error(client, postcodes_io):
    """The client stopped short: a 400 (Werkzeug's disconnect), or, where the server frames
    bodies itself, the JSON as far as it came, which doesn't parse."""
    for environ in ({}, {"wsgi.input_terminated": True}):
        response = client.post(
            LETTERS,
            input_stream=io.BytesIO(WANTED[:20]),
            content_type="application/json",
            environ_overrides={"CONTENT_LENGTH": str(len(WANTED)), **environ},
        )
        assert response.status_code == 400, response.get_data(as_text=True)
