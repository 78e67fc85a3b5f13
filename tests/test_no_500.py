"""No input, however malformed, produces a 500: random garbage at every supporter endpoint."""

import json
import random

import pytest

SLUG = "stop-facial-recognition"
ALPHABET = "aZ09 \t\n\r\x00\x01\x7f\u2028é£✓😀%&+#=?/\\\"'<>{}[]"
VALUES = [None, True, 0, -1, 1.5, 10**30, "", "x" * 5000, [], {}, ["accuracy"], {"why": 1}]


def garbage(rng: random.Random):
    kind = rng.randrange(4)
    if kind == 0:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
    if kind == 1:
        return rng.choice(VALUES)
    if kind == 2:
        return [garbage(rng) for _ in range(rng.randrange(3))]
    return {str(garbage(rng))[:10]: garbage(rng) for _ in range(rng.randrange(3))}


FIELDS = (
    "postcode",
    "constituency_code",
    "pfa_code",
    "name",
    "talking_points",
    "answers",
    "address",
)


@pytest.mark.parametrize("seed", range(40))
def test_random_input_never_gives_a_server_error(client, postcodes_io, seed):
    rng = random.Random(seed)
    for _ in range(10):
        body = {f: garbage(rng) for f in FIELDS if rng.random() < 0.7}
        text = str(garbage(rng))
        responses = [
            client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body),
            client.post(
                f"/api/v1/campaigns/{SLUG}/letters",
                data=json.dumps(body)[:-1],
                content_type="application/json",
            ),
            client.post(
                f"/c/{SLUG}/letters", data={k: str(v) for k, v in body.items()} | {"eml": text}
            ),
            client.get(f"/c/{SLUG}", query_string={"postcode": text}),
            client.get(f"/c/{SLUG}", query_string={"constituency": text, "pfa": text}),
            client.get(f"/api/v1/postcodes/{text or 'x'}"),
        ]
        for response in responses:
            assert response.status_code < 500, (response.request.path, body, text)
