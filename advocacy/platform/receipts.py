"""Receipts: the short signed token the letters step hands the page, so that only letters drafted
here can be counted as sent or answered about.

A receipt names the campaign, who the letters went to (roles and codes, as the reply link already
does), how they came (page, embed or API, and the partner label), when it was made, and a random
number that tells two alike apart: nothing about the supporter. It is signed with the app's
``SECRET_KEY`` (itsdangerous, with a salt for this one use), so nobody can make one up or change
it, and each use is spent once (``limits.once``): "I've sent my letters" once per receipt, and
each answer on the reply page once per receipt, recipient and answer (a "no reply yet" can still
become "yes, they replied" later, but neither can be pressed twice).

The receipt travels in the page (a hidden field) and in the reply link, never in a cookie. It
holds the same roles and codes as the reply link, so pages that carry it are never stored.
"""

import functools
import itertools
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import orjson
from flask import current_app
from itsdangerous import BadData
from itsdangerous import Signer
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

from advocacy.platform import limits
from advocacy.platform.tally import CHANNELS

SALT = "advocacy.receipt"
# "I've sent my letters" is pressed on the letters page, usually minutes after drafting; a day
# also covers a supporter who leaves the tab open and sends their letters the next morning.
SENT_SECONDS = 24 * 3600
# The reply link is kept for weeks: MPs' offices and police bodies aim to answer within about
# 20 working days, often later. 90 days covers a slow answer and a supporter who is slow to say.
REPLY_SECONDS = 90 * 24 * 3600
# Far longer than any receipt this app makes (about 250 characters with every recipient).
MAX_LENGTH = 2000


@dataclass(frozen=True)
class Receipt:
    slug: str
    recipients: tuple[str, ...]  # "role:code", as in a reply link
    channel: str
    ref: str
    nonce: str


class _Signer(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each key once: the same key (a hash of the
    salt and the secret) had been derived again for every receipt made or read."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        derived: dict = vars(self).setdefault("_derived", {})
        found = derived.get(secret_key)
        if found is None:
            found = derived[secret_key] = super().derive_key(secret_key)
        return found


class _Serializer(URLSafeTimedSerializer):
    """itsdangerous's URL-safe timed serializer, issuing without its zlib step, with one signer
    per salt made once (it made a new one for every receipt).

    A receipt's JSON is about 150 bytes: compressing it saved a few characters and cost 26 µs of
    every letters request (zlib sets up 256 KB of state each time). Reading is the parent's,
    which takes a payload either way, so receipts issued before this change still read.
    """

    default_signer = _Signer

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signers: dict = vars(self).setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class _Json:
    """itsdangerous's compact JSON, written by orjson: for a receipt's strings and list the
    same text (no spaces, non-ASCII as it is, keys in order), in a fifth of the time; read by
    the standard library, as before."""

    @staticmethod
    def dumps(obj: object) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(text: str | bytes) -> object:
        return json.loads(text)


class _Nonces:
    """Numbers that tell two receipts apart: a random prefix per process and a counter.

    Only unique, not secret (the receipt is signed), so one ``os.urandom`` per process rather
    than per request (16 µs each on the benchmark machine). A forked worker draws its own prefix.
    """

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self.prefix = secrets.token_urlsafe(9)
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):x}"


_nonces = _Nonces()


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    # Flask's SECRET_KEY_FALLBACKS: receipts signed before a key rotation still read.
    return _serializer_for((*(config.get("SECRET_KEY_FALLBACKS") or ()), config["SECRET_KEY"]))


@functools.lru_cache(maxsize=8)
def _serializer_for(keys: tuple[str | bytes, ...]) -> URLSafeTimedSerializer:
    return _Serializer(list(keys), salt=SALT, serializer=_Json)


def issue(slug: str, recipients: Iterable[tuple[str, str]], *, channel: str, ref: str = "") -> str:
    """A receipt for letters to ``recipients`` (role, code) in the campaign ``slug``."""
    payload = {
        "c": slug,
        "r": [f"{role}:{code}" for role, code in recipients],
        "ch": channel,
        "ref": ref,
        "n": _nonces.next(),
    }
    return _serializer().dumps(payload)


def read(token: object, slug: str, max_age: int) -> Receipt | None:
    """The receipt ``token`` holds, if this app made it for the campaign ``slug`` no more than
    ``max_age`` seconds ago; else None (made up, changed, too old, another campaign's)."""
    if not isinstance(token, str) or not token or len(token) > MAX_LENGTH:
        return None
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadData, ValueError, UnicodeError):
        return None
    if not isinstance(data, dict) or data.get("c") != slug:
        return None
    recipients, channel, ref, nonce = data.get("r"), data.get("ch"), data.get("ref"), data.get("n")
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        return None
    if channel not in CHANNELS or not isinstance(ref, str) or not isinstance(nonce, str):
        return None
    return Receipt(slug, tuple(recipients), channel, ref, nonce)


def spend(receipt: Receipt, use: str, seconds: int) -> bool:
    """True the first time ``use`` is made of this receipt (then it counts), False after.
    ``seconds`` is how long the receipt is good for that use: the mark lasts as long."""
    return limits.once("receipt", f"{receipt.nonce}:{use}", seconds)
