"""Receipts as tokens: issued cheaply, read back whichever way they were issued, never alike."""

import json
import os

from itsdangerous import URLSafeTimedSerializer

from advocacy.platform import receipts

SLUG = "stop-facial-recognition"
KEYS = [("mp", "E14001085"), ("police_force", "E23000001")]


def test_a_receipt_reads_back_as_issued(app) -> None:
    with app.test_request_context():
        token = receipts.issue(SLUG, KEYS, channel="api", ref="partner")
        receipt = receipts.read(token, SLUG, receipts.SENT_SECONDS)
    assert receipt is not None
    assert receipt.recipients == ("mp:E14001085", "police_force:E23000001")
    assert (receipt.channel, receipt.ref) == ("api", "partner")
    assert not token.startswith(".")  # issued uncompressed (itsdangerous marks zlib with ".")


def test_a_compressed_receipt_from_before_still_reads(app) -> None:
    """Reply links live for 90 days: those issued by the old, compressing serializer work on."""
    payload = {"c": SLUG, "r": ["mp:E14001085"] * 20, "ch": "page", "ref": "", "n": "old"}
    old = URLSafeTimedSerializer([app.config["SECRET_KEY"]], salt=receipts.SALT).dumps(payload)
    assert old.startswith(".")  # long enough that the old serializer compressed it
    with app.test_request_context():
        receipt = receipts.read(old, SLUG, receipts.REPLY_SECONDS)
    assert receipt is not None and receipt.nonce == "old"


def test_nonces_are_never_alike_in_a_process_or_across_a_fork(app) -> None:
    with app.test_request_context():
        here = {
            receipts.read(receipts.issue(SLUG, KEYS, channel="page"), SLUG, 60).nonce
            for _ in range(1000)
        }
    assert len(here) == 1000
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a worker forked from the master after import
        os.close(reader)
        os.write(writer, receipts._nonces.next().encode())
        os._exit(0)
    os.close(writer)
    child = os.read(reader, 100).decode()
    os.waitpid(pid, 0)
    os.close(reader)
    assert child and child not in here
    assert not child.startswith(receipts._nonces.prefix)  # its own prefix, drawn after the fork


def test_a_receipt_is_the_json_itsdangerous_itself_writes_and_reads(app) -> None:
    """Receipts are written by orjson: the same compact text as itsdangerous's JSON, so a
    receipt reads with itsdangerous's own serializer, and the other way round."""
    payload = {"c": SLUG, "r": ["mp:E14001085"], "ch": "page", "ref": "Café", "n": "x1"}
    compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert receipts._Json.dumps(payload) == compact
    stock = URLSafeTimedSerializer([app.config["SECRET_KEY"]], salt=receipts.SALT)
    with app.test_request_context():
        token = receipts.issue(SLUG, KEYS, channel="embed", ref="partner")
        theirs = stock.dumps({**payload, "c": SLUG, "ch": "embed"})
        assert receipts.read(theirs, SLUG, receipts.SENT_SECONDS).ref == "Café"
    read = stock.loads(token)
    assert read["r"] == ["mp:E14001085", "police_force:E23000001"] and read["ch"] == "embed"


def test_a_receipt_from_before_a_key_rotation_reads_with_each_key_derived_once(app) -> None:
    """Signers are made once per salt and keys derived once per key (``_Signer``), and a
    receipt signed with a key that is now a fallback still reads; one signed with a key
    never given does not."""
    old = app.config["SECRET_KEY"]
    with app.test_request_context():
        token = receipts.issue(SLUG, KEYS, channel="page")
    app.config.update(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[old])
    try:
        with app.test_request_context():
            for _ in range(2):  # the second time from the signer and keys made the first
                assert receipts.read(token, SLUG, 60).recipients == (
                    "mp:E14001085",
                    "police_force:E23000001",
                )
            fresh = receipts.issue(SLUG, KEYS, channel="page")
            serializer = receipts._serializer()
            assert serializer.make_signer() is serializer.make_signer()
        stranger = URLSafeTimedSerializer(["another-key"], salt=receipts.SALT)
        forged = stranger.dumps({"c": SLUG, "r": [], "ch": "page", "ref": "", "n": "x"})
        with app.test_request_context():
            assert receipts.read(forged, SLUG, 60) is None
        app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])
        with app.test_request_context():
            assert receipts.read(fresh, SLUG, 60) is None  # "a-new-key" is no longer given
    finally:
        app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])
