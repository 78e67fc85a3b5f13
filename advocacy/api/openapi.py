"""The partner API described as OpenAPI 3.1, served at ``/api/v1/openapi.json``.

Built in Python rather than kept as a file so limits and names come from the code that enforces
them; tests/api/test_openapi.py runs schemathesis against the app to keep every word of it true.
"""

from typing import Any

from advocacy.letters import delivery
from advocacy.letters import letter_request
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import TARGET_ROLES
from advocacy.platform import receipts

NULLABLE_TEXT = {"type": ["string", "null"]}
CODE = {"type": "string", "pattern": letter_request.AREA_CODE.pattern}


def _object(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required or list(properties), "properties": properties}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"type": "null"}, schema]}


def _error(description: str, *codes: str, retry: bool = False) -> dict[str, Any]:
    """A response with the one error body; ``codes`` are the ``error.code`` values it can carry."""
    body = _object(
        ["error"],
        error=_object(
            ["code", "message"],
            code={"type": "string", "enum": list(codes)},
            message={
                "type": "string",
                "description": "Written for people; show it as it is. Messages for supporters "
                'are in Welsh when the request asks (?language=cy, or "language" in a letters '
                "request).",
            },
            fields={
                "type": "object",
                "description": "For invalid_input: messages by field name.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ),
    )
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": body}},
    }
    if retry:
        response["headers"] = {
            "Retry-After": {
                "required": True,
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        }
    return response


def _ok(description: str, ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


RATE_LIMITED = _error(
    "Too many requests from this client address; wait as Retry-After says.",
    "rate_limited",
    retry=True,
)
UNAVAILABLE = _error(
    "The postcode lookup service is unavailable; try again later, or send constituency_code "
    "and pfa_code instead of a postcode.",
    "lookup_unavailable",
    retry=True,
)
OUTSIDE = _error(
    "The place is outside the UK Parliament or the UK's police force areas (for example the "
    "Channel Islands), so there is nobody to write to.",
    "outside_coverage",
)
CAMPAIGN_OUTSIDE = _error(
    "The place is outside the UK Parliament or the UK's police force areas, or in a nation the "
    "campaign does not write for.",
    "outside_coverage",
)
CAMPAIGN_NOT_FOUND = _error(
    "No live campaign by that name, or no such postcode.",
    "campaign_not_found",
    "postcode_not_found",
    "postcode_terminated",
)
NATION = {"type": "string", "enum": list(NATIONS)}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The campaign's web address, as in /c/{slug}.",
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
    "example": "stop-facial-recognition",
}
# A request for the bundled example campaign, so the document shows (and its test sends) one
# that works.
LETTERS_EXAMPLE = {
    "postcode": "SE1 2DL",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
    "answers": {"why": "I walk through London Bridge station every day."},
}

POSTAL_ADDRESS = (
    "One line, parts separated by commas. Where email is null and this is not, the body takes "
    "letters by post: offer the letter to print, with the supporter's address and this one."
)

SCHEMAS: dict[str, Any] = {
    "Lookup": _object(
        postcode={"type": "string", "examples": ["SE1 2DL"]},
        country={"type": "string", "examples": ["England"]},
        constituency=_object(code=NULLABLE_TEXT, name=NULLABLE_TEXT),
        mp=_nullable(_object(name={"type": "string"}, party=NULLABLE_TEXT, email=NULLABLE_TEXT)),
        police_force=_nullable(
            _object(code={"type": "string"}, name={"type": "string"}, website=NULLABLE_TEXT)
        ),
        police_oversight=_nullable(
            _object(
                kind={"type": "string"},
                name={"type": "string"},
                email=NULLABLE_TEXT,
                postal_address={**NULLABLE_TEXT, "description": POSTAL_ADDRESS},
            )
        ),
    ),
    "Campaign": _object(
        slug={"type": "string"},
        languages={
            "type": "array",
            "description": "The languages its text and letters come in, English first "
            '("en", "cy"): send one as ?language= here, or "language" in a letters request.',
            "items": {"type": "string"},
        },
        language={"type": "string", "description": "The language of the text in this answer."},
        title={"type": "string"},
        organiser={**NULLABLE_TEXT, "description": "Who runs the campaign, if staff named them."},
        summary={
            "type": "string",
            "description": "The summary as staff wrote it, in CommonMark Markdown (raw HTML is "
            "text, not markup); summary_html is it rendered and sanitised.",
        },
        summary_html={"type": "string", "description": "Sanitised HTML (one allow-list)."},
        targets={"type": "array", "items": {"type": "string", "enum": list(TARGET_ROLES)}},
        needs_postcode={
            "type": "boolean",
            "description": "false for a campaign to its own named recipients alone, the same "
            "everywhere: its letters request needs no postcode or area codes (any sent are "
            "not used).",
        },
        nations={
            "type": "array",
            "description": "The nations whose supporters the campaign writes for (with ?nation= "
            "or ?postcode=, that one nation).",
            "items": NATION,
        },
        talking_points={
            "type": "array",
            "description": "Every point, each with the nations it is for; with ?nation= or "
            "?postcode=, only that nation's points.",
            "items": _object(
                id={"type": "string"},
                label={"type": "string"},
                nations={"type": "array", "items": NATION},
            ),
        },
        prompts={
            "type": "array",
            "description": "Questions the supporter may answer in their own words.",
            "items": _object(id={"type": "string"}, label={"type": "string"}),
        },
    ),
    "Areas": _object(
        constituencies={
            "type": "array",
            "description": "By nation (England, Scotland, Wales, Northern Ireland), by name.",
            "items": _object(code=CODE, name={"type": "string"}, country={"type": "string"}),
        },
        police_force_areas={
            "type": "array",
            "description": "By force name; Northern Ireland's is N99999999.",
            "items": _object(code=CODE, name={"type": "string"}, force={"type": "string"}),
        },
    ),
    "LettersRequest": {
        "type": "object",
        "description": "Where the supporter lives (a postcode, or both area codes; none for a "
        "campaign whose needs_postcode is false) and what they want to say. Nothing sent here "
        "is stored.",
        "properties": {
            "postcode": {"type": "string", "maxLength": letter_request.MAX_POSTCODE},
            "constituency_code": {**CODE, "description": "GSS code, e.g. E14001172."},
            "pfa_code": {**CODE, "description": "Police force area code, e.g. E23000001."},
            "name": {"type": "string", "minLength": 1, "maxLength": letter_request.MAX_NAME},
            "address": {"type": "string", "maxLength": letter_request.MAX_ADDRESS},
            "talking_points": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Ids from the campaign's talking_points; at least one.",
            },
            "recipients": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "Whom to write to; leave it out to write to everyone. Roles from "
                'the campaign\'s targets ("mp", "police_force", "police_oversight"), '
                '"fixed" for every recipient the campaign names itself, or one of them as '
                '"fixed:<id>" (the id counts and reply links use: a slug of the name, '
                '"fixed:home-secretary"). An unknown one is a 400 naming it.',
            },
            "language": {
                "type": "string",
                "description": "The letters' language, one of the campaign's languages (\"cy\": "
                'Welsh, beginning "Annwyl"); English when left out.',
                "example": "cy",
            },
            "answers": {
                "type": "object",
                "description": "Prompt id → the supporter's own words.",
                "additionalProperties": {
                    "type": "string",
                    "maxLength": letter_request.MAX_ANSWER,
                },
            },
        },
        "required": ["name", "talking_points"],
    },
    "Letters": _object(
        letters={
            "type": "array",
            "items": _object(
                recipient=_object(
                    role={"type": "string"},
                    name={"type": "string"},
                    email=NULLABLE_TEXT,
                    contact_url=NULLABLE_TEXT,
                    website=NULLABLE_TEXT,
                    postal_address={**NULLABLE_TEXT, "description": POSTAL_ADDRESS},
                ),
                to={"type": "array", "items": {"type": "string"}},
                subject={"type": "string"},
                body={"type": "string", "description": "Plain text."},
                links={"$ref": "#/components/schemas/Links"},
                too_long={
                    "type": "boolean",
                    "description": "True when at least one link was withheld because the letter "
                    "is too long for it (see Links for each budget): those links are null, and "
                    "open_links (address and subject only; the address alone where even the "
                    "subject is too long) open a message to paste the body into.",
                },
                open_links={"$ref": "#/components/schemas/Links"},
            ),
        },
        token={
            "type": "string",
            "description": "A receipt for these letters: send it to POST .../sent when the "
            "supporter says they sent them, within "
            f"{receipts.SENT_SECONDS // 3600} hours. It names the campaign, the recipients' "
            "roles and area codes, your label and the time, signed; nothing about the "
            "supporter.",
        },
    ),
    "SentRequest": _object(
        token={"type": "string", "description": "The token from the letters answer."}
    ),
    "Sent": _object(
        counted={
            "type": "boolean",
            "description": "False when this token was already counted.",
        }
    ),
    "Links": {
        "type": "object",
        "description": "Compose links by mail service; null where there is no address or the "
        "whole link would be longer than its budget, past which a mail client may cut the "
        "letter short: "
        + ", ".join(f"{kind} {budget:,}" for kind, budget in delivery.BUDGETS.items())
        + " characters. The composer picks shorter phrasings before it withholds a link.",
        "additionalProperties": NULLABLE_TEXT,
    },
}


def document(server_url: str) -> dict[str, Any]:
    """The whole OpenAPI document, with ``server_url`` as the server partners call."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "advocacy partner API",
            "version": "1.0.0",
            "description": "Look up who represents a UK postcode and draft a campaign's "
            "letters for a supporter, who sends them from their own mailbox. No cookies or "
            "keys. Browsers may call it from the sites a campaign allows to embed it (CORS). "
            "Rate-limited per client address.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/postcodes/{postcode}": {
                "get": {
                    "operationId": "lookupPostcode",
                    "summary": "Who represents a postcode: constituency, MP, police force and "
                    "the body that oversees it.",
                    "parameters": [
                        {
                            "name": "postcode",
                            "in": "path",
                            "required": True,
                            "description": "A full UK postcode; spacing and case don't matter.",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                            "example": "SE1 2DL",
                        },
                        {
                            "name": "language",
                            "in": "query",
                            "required": False,
                            "description": "The language of the error messages (cy: Welsh, "
                            "where the site offers it).",
                            "schema": {"type": "string"},
                            "example": "cy",
                        },
                    ],
                    "responses": {
                        "200": _ok("Found.", "Lookup"),
                        "400": _error("Not a full UK postcode.", "invalid_postcode"),
                        "404": _error(
                            "No such postcode, or it is no longer used.",
                            "postcode_not_found",
                            "postcode_terminated",
                        ),
                        "422": OUTSIDE,
                        "429": RATE_LIMITED,
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/v1/campaigns/{slug}": {
                "get": {
                    "operationId": "getCampaign",
                    "summary": "A live campaign: its talking points and questions.",
                    "parameters": [
                        SLUG,
                        {
                            "name": "nation",
                            "in": "query",
                            "required": False,
                            "description": "Only the points for supporters in this nation.",
                            "schema": {"type": "string"},
                            "example": "scotland",
                        },
                        {
                            "name": "postcode",
                            "in": "query",
                            "required": False,
                            "description": "Only the points for supporters at this postcode "
                            "(looked up, and counted as a lookup for rate limits).",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                            "example": "SE1 2DL",
                        },
                        {
                            "name": "language",
                            "in": "query",
                            "required": False,
                            "description": "The text, and messages for supporters, in this "
                            "one of the campaign's languages.",
                            "schema": {"type": "string"},
                            "example": "cy",
                        },
                    ],
                    "responses": {
                        "200": _ok("The campaign.", "Campaign"),
                        "400": _error(
                            "An unknown nation, or not a full UK postcode.",
                            "invalid_input",
                            "invalid_postcode",
                        ),
                        "404": CAMPAIGN_NOT_FOUND,
                        "422": CAMPAIGN_OUTSIDE,
                        "429": RATE_LIMITED,
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/v1/campaigns/{slug}/letters": {
                "post": {
                    "operationId": "draftLetters",
                    "summary": "One letter per recipient, with ready-made mail links.",
                    "parameters": [
                        SLUG,
                        {
                            "name": "ref",
                            "in": "query",
                            "required": False,
                            "description": "Your partner label, counted (as a total only) "
                            "with the letters it brings. Letters, numbers, '.', '-', '_'; a label "
                            "that is or holds a postcode is not counted.",
                            "schema": {"type": "string", "maxLength": 40},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/LettersRequest"},
                                "example": LETTERS_EXAMPLE,
                            }
                        },
                    },
                    "responses": {
                        "200": _ok("The letters.", "Letters"),
                        "400": _error(
                            "Something in the request needs another look; see fields.",
                            "invalid_input",
                            "invalid_postcode",
                        ),
                        "404": CAMPAIGN_NOT_FOUND,
                        "422": CAMPAIGN_OUTSIDE,
                        "429": RATE_LIMITED,
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/v1/campaigns/{slug}/sent": {
                "post": {
                    "operationId": "lettersSent",
                    "summary": "The supporter says they sent the letters: counted once per token.",
                    "parameters": [SLUG],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SentRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": _ok("Counted, or already counted.", "Sent"),
                        "400": _error(
                            "No token, or not one this campaign's letters answer gave within "
                            f"the last {receipts.SENT_SECONDS // 3600} hours.",
                            "invalid_input",
                            "invalid_token",
                        ),
                        "404": _error("No live campaign by that name.", "campaign_not_found"),
                        "429": RATE_LIMITED,
                    },
                }
            },
            "/api/v1/areas": {
                "get": {
                    "operationId": "listAreas",
                    "summary": "Every constituency and police force area with its code: the "
                    "lists to offer when the postcode lookup answers 503 (their codes go in a "
                    "letters request instead of a postcode).",
                    "responses": {"200": _ok("The lists.", "Areas")},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
