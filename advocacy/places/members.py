"""Who sits for each constituency now, from the UK Parliament Members API.

The bundled MP list goes stale with by-elections, defections and new addresses. ``refresh``
compares it with the API and returns the differences for staff to review and store as
overrides; it writes nothing itself, so the ``flask refresh-mps`` command stays a thin shell.
API shapes are described in the fixtures' NOTES.md (section 2).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests

from advocacy.letters.addressing import mp_salutation
from advocacy.letters.addressing import mp_salutation_cy
from advocacy.letters.recipient import Recipient
from advocacy.places.bundled_roles import MP_CONTACT_URL
from advocacy.places.directory import Directory
from advocacy.places.postcodes import USER_AGENT

BASE_URL = "https://members-api.parliament.uk"
PARLIAMENTARY_OFFICE = "Parliamentary office"
OVERRIDE_FIELDS = ("name", "party", "email", "contact_url", "salutation", "salutation_cy")


class MembersApiError(Exception):
    """The API could not answer, or answered something we can't use; the message says which."""


@dataclass(frozen=True)
class Member:
    member_id: int
    name: str  # nameDisplayAs, e.g. "Rachel Blake"
    party: str | None  # latestParty.name
    email: str | None  # filled only by a separate contact lookup


@dataclass(frozen=True)
class MpChange:
    code: str  # pcon24cd
    constituency: str
    status: str  # "changed" | "new-member" | "vacant" | "error"
    fields: dict[str, tuple[str | None, str | None]]  # field -> (old, new); member_id as str
    message: str = ""


def _text(value: object) -> str | None:
    """A trimmed string, or None; refuses control and invisible characters.

    What the API gives becomes a directory override shown in letters and ``.eml`` headers, so a
    line break, NUL or bidi override in a name or address is an error for that seat, as it is
    when staff type one (a no-break space is only a space).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if not text.replace("\xa0", " ").isprintable():
        raise MembersApiError("Members API: a name or address has control or invisible characters")
    return text


class MembersClient:
    """A small client for the two Members API endpoints the refresh needs."""

    def __init__(
        self,
        base_url: str = BASE_URL,
        *,
        session: requests.Session | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def current_member(self, constituency_name: str) -> Member | None:
        """The member sitting for the constituency, or None if the seat is vacant.

        The search is fuzzy and also returns abolished seats of the same name, so only a current
        constituency whose name matches exactly (ignoring case) counts.
        """
        body = self._get(
            "/api/Location/Constituency/Search",
            {"searchText": constituency_name, "skip": 0, "take": 20},
        )
        items = body.get("items")
        if not isinstance(items, list):
            raise MembersApiError("Members API: constituency search has no list of items")
        wanted = constituency_name.strip().casefold()
        named = [
            item["value"]
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("value"), dict)
            and isinstance(item["value"].get("name"), str)
            and item["value"]["name"].strip().casefold() == wanted
        ]
        current = [c for c in named if c.get("endDate") is None]
        if not current:
            detail = " (only abolished seats of that name)" if named else ""
            raise MembersApiError(
                f"Members API: constituency {constituency_name!r} not found{detail}"
            )
        representation = current[0].get("currentRepresentation")
        if representation is None:
            return None
        try:
            member = representation["member"]["value"]
            member_id = member["id"]
            name = _text(member["nameDisplayAs"])
            party = member.get("latestParty")
        except (KeyError, TypeError):
            raise MembersApiError(
                f"Members API: unexpected member data for {constituency_name!r}"
            ) from None
        if not isinstance(member_id, int) or isinstance(member_id, bool) or not name:
            raise MembersApiError(
                f"Members API: member without id or name for {constituency_name!r}"
            )
        party_name = _text(party.get("name")) if isinstance(party, dict) else None
        return Member(member_id, name, party_name, email=None)

    def email(self, member_id: int) -> str | None:
        """The member's address: the Parliamentary office's, else any office's, else None."""
        body = self._get(f"/api/Members/{int(member_id)}/Contact")
        entries = body.get("value")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise MembersApiError(f"Members API: unexpected contact data for member {member_id}")
        for entry in entries:
            if entry.get("type") == PARLIAMENTARY_OFFICE and _text(entry.get("email")):
                return _text(entry["email"])
        return next((_text(e["email"]) for e in entries if _text(e.get("email"))), None)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict:
        """GET a JSON object, retrying once when the network or the server fails."""
        url = f"{self.base_url}{path}"
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        problem = "no attempt"
        for _ in range(2):
            try:
                response = self.session.get(
                    url, params=params, headers=headers, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                problem = "timeout" if isinstance(exc, requests.Timeout) else "connection error"
                continue
            except requests.RequestException as exc:
                raise MembersApiError(f"Members API: request failed for {path} ({exc})") from exc
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise MembersApiError(f"Members API: HTTP {response.status_code} for {path}")
            try:
                body = response.json()
            except ValueError:
                raise MembersApiError(f"Members API: malformed JSON from {path}") from None
            if not isinstance(body, dict):
                raise MembersApiError(f"Members API: unexpected body from {path}")
            return body
        raise MembersApiError(f"Members API: unavailable for {path} ({problem}, tried twice)")


def _old(mp: Recipient) -> dict[str, str | None]:
    """The directory's fields for an MP, as strings so they compare with the API's."""
    return {
        "name": mp.name,
        "party": mp.party,
        "email": mp.email,
        "contact_url": mp.contact_url,
        "member_id": None if mp.member_id is None else str(mp.member_id),
    }


def _new(member: Member, email: str | None) -> dict[str, str | None]:
    """The fields the directory would hold for this member; no email means the contact form."""
    return {
        "name": member.name,
        "party": member.party,
        "email": email,
        "contact_url": None if email else MP_CONTACT_URL.format(member_id=member.member_id),
        "member_id": str(member.member_id),
    }


def _same(field: str, old: str | None, new: str | None) -> bool:
    # Addresses differing only in case reach the same inbox: not worth a review.
    if field == "email" and old and new:
        return old.casefold() == new.casefold()
    return old == new


def _check(directory: Directory, client: MembersClient, code: str) -> MpChange | None:
    con = directory.constituencies.get(code)
    mp = directory.mps.get(code)
    name = con.name if con else code
    if con is None or mp is None:
        return MpChange(code, name, "error", {}, "not a constituency with an MP in the directory")
    try:
        member = client.current_member(con.name)
        if member is None:
            return MpChange(code, name, "vacant", {}, "the seat is vacant")
        email = client.email(member.member_id)
    except MembersApiError as exc:
        return MpChange(code, name, "error", {}, str(exc))
    old, new = _old(mp), _new(member, email)
    fields = {f: (old[f], new[f]) for f in old if not _same(f, old[f], new[f])}
    if mp.member_id != member.member_id:
        message = f"now {member.name} (member {member.member_id})"
        return MpChange(code, name, "new-member", fields, message)
    if not fields.keys() & {"name", "party", "email"}:
        return None
    return MpChange(code, name, "changed", fields)


def refresh(
    directory: Directory, client: MembersClient, codes: Iterable[str] | None = None
) -> list[MpChange]:
    """Compare the directory's MPs with the API; one entry per seat that needs attention.

    A failure for one seat becomes an "error" entry and the run goes on, so one odd seat can't
    hide changes elsewhere. Seats are checked in code order unless ``codes`` says otherwise.
    """
    todo = sorted(directory.mps) if codes is None else list(dict.fromkeys(codes))
    changes = [_check(directory, client, code) for code in todo]
    return [change for change in changes if change is not None]


def override_fields(change: MpChange) -> dict[str, str | None]:
    """The new values to store as the MP's directory override.

    The salutations follow the name (in English and Welsh), without the honorific the API's
    display name carries.
    """
    if change.status not in ("changed", "new-member"):
        return {}
    values = {field: new for field, (_, new) in change.fields.items()}
    if "name" in values:
        values["salutation"] = mp_salutation(values["name"])
        values["salutation_cy"] = mp_salutation_cy(values["name"])
    return {field: values[field] for field in OVERRIDE_FIELDS if field in values}
