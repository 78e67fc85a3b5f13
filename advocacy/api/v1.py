"""JSON API v1 for partners who build their own form. Its shapes are a contract: keep them."""

import math

from flask import Blueprint
from flask import current_app
from flask import request
from werkzeug.routing import PathConverter

from advocacy.api import cors
from advocacy.api import openapi
from advocacy.letters import campaign_json
from advocacy.letters import letter_request
from advocacy.letters.campaigns import NATION_NAMES
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import nation_of
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places import replies
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.platform import limits
from advocacy.platform import models
from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.platform.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
cors.init_blueprint(bp)


class AnyText(PathConverter):
    """Any text at all, line breaks and slashes too, or none: a mangled or empty postcode
    (``/postcodes/``) is then answered as an invalid postcode (400), as the OpenAPI document
    says, not as an unknown address (404)."""

    regex = r"[\s\S]*?"
    part_isolating = False  # it may span "/" (Werkzeug guesses from the regex otherwise)


@bp.record_once
def _converters(state) -> None:
    state.app.url_map.converters["anytext"] = AnyText


@bp.get("/openapi.json")
def openapi_document():
    """This API, described as OpenAPI 3.1 for partners' tools."""
    return openapi.document(request.host_url.rstrip("/"))


LOOKUP_ERRORS = {
    postcodes.ForcesPostcode: (422, "outside_coverage"),
    postcodes.InvalidPostcode: (400, "invalid_postcode"),
    postcodes.TerminatedPostcode: (404, "postcode_terminated"),
    postcodes.PostcodeNotFound: (404, "postcode_not_found"),
    postcodes.LookupUnavailable: (503, "lookup_unavailable"),
}


@bp.errorhandler(postcodes.PostcodeError)
def lookup_failed(exc: postcodes.PostcodeError):
    status, code = next(v for k, v in LOOKUP_ERRORS.items() if isinstance(exc, k))
    response = error_response(status, code, exc.message)
    if status == 503:  # about when the breaker lets lookups through again
        cooldown = current_app.config["POSTCODES_BREAKER_COOLDOWN"]
        response.headers["Retry-After"] = str(max(1, math.ceil(float(cooldown))))
    return response


@bp.errorhandler(OutsideCoverage)
def outside_coverage(exc: OutsideCoverage):
    return error_response(422, "outside_coverage", exc.args[0])


@bp.errorhandler(letter_request.InvalidInput)
def invalid_input(exc: letter_request.InvalidInput):
    return error_response(400, "invalid_input", exc.args[0], fields=exc.fields)


@bp.get("/areas")
def areas():
    """The lists a partner's form offers when postcodes.io is down (or a supporter would rather
    choose): every constituency and police force area with its code, as the campaign page's
    lists have them. Costs no lookup."""
    book = pipeline.directory()
    return {
        "constituencies": [
            {"code": c.code, "name": c.name, "country": c.country}
            for group in book.grouped_constituencies().values()
            for c in group
        ],
        "police_force_areas": [
            {"code": a.code, "name": a.name, "force": a.force.name}
            for a in sorted(book.force_areas.values(), key=lambda a: a.force.name)
        ],
    }


@bp.get("/postcodes/<anytext:postcode>")
@limits.lookups()
def postcode(postcode: str):
    place = pipeline.find_place(postcode)
    book = pipeline.directory()
    by_role = {
        r.role: r for r in book.recipients(place, ("mp", "police_force", "police_oversight"))
    }
    area = book.area_for(place)
    mp = by_role.get("mp")
    oversight = by_role.get("police_oversight")
    return {
        "postcode": place.postcode,
        "country": place.country,
        "constituency": {"code": place.constituency_code, "name": place.constituency_name},
        "mp": mp and {"name": mp.name, "party": mp.party, "email": mp.email},
        "police_force": area
        and {"code": area.code, "name": area.force.name, "website": area.force.website},
        "police_oversight": oversight
        and {
            "kind": oversight.kind,
            "name": oversight.name,
            "email": oversight.email,
            # Addition: where a body with no email address takes letters by post.
            "postal_address": oversight.postal_address,
        },
    }


class CampaignNotFound(LookupError):
    """No live campaign by that slug (drafts and closed campaigns are not found either)."""


@bp.errorhandler(CampaignNotFound)
def campaign_not_found(exc: CampaignNotFound):
    return error_response(404, "campaign_not_found", str(exc))


def _live(slug: str):
    campaign = models.live_campaign(slug)
    if campaign is None:
        raise CampaignNotFound(f"There is no live campaign called {slug!r}.")
    return campaign


def _no_postcode() -> bool:
    return "postcode" not in request.args


@bp.get("/campaigns/<slug>")
@limits.lookups(exempt_when=_no_postcode)
def campaign(slug: str):
    """The campaign; with ``?nation=`` or ``?postcode=``, only what that nation's supporters see
    (a postcode costs a lookup, like the lookup endpoint)."""
    campaign = _live(slug)
    language = request.args.get("language") or "en"
    if language not in campaign.languages:
        raise letter_request.InvalidInput(
            {"language": [f"This campaign is in {', '.join(campaign.languages)}."]}
        )
    campaign = campaign_json.in_language(campaign, language)
    nation = request.args.get("nation")
    place = None
    if "postcode" in request.args:
        place = pipeline.find_place(request.args["postcode"])
        pipeline.directory().recipients(place, campaign.targets)  # OutsideCoverage
        nation = nation_of(place.country)
    elif nation is not None and nation not in NATIONS:
        raise letter_request.InvalidInput(
            {"nation": [f"Unknown nation {nation[:40]!r}; use one of {', '.join(NATIONS)}."]}
        )
    if nation is not None and nation not in campaign.nations:
        raise pipeline.NationNotServed(campaign, NATION_NAMES[nation])
    # At a postcode, the points offered there (a point may be for forces that use the cameras).
    shown = pipeline.for_place(campaign, place) if place else campaign.for_nation(nation)
    return {
        "slug": campaign.slug,
        "languages": list(campaign.languages),
        "language": shown.language,
        "title": shown.title,
        "organiser": campaign.organiser or None,
        "summary": shown.summary_markdown,
        "summary_html": shown.summary_html,
        "targets": list(campaign.targets),
        "needs_postcode": campaign.needs_place,
        "nations": list(shown.nations),
        "talking_points": [
            {"id": p.id, "label": p.label, "nations": list(p.nations or campaign.nations)}
            for p in shown.talking_points
        ],
        "prompts": [{"id": p.id, "label": p.label} for p in shown.prompts],
    }


@bp.post("/campaigns/<slug>/letters")
@limits.letters()
def letters(slug: str):
    campaign = _live(slug)
    data = request.get_json(silent=True)
    if data is None:
        return error_response(
            400,
            "invalid_input",
            "Send a JSON object with Content-Type: application/json.",
            fields={},
        )
    wanted = letter_request.parse(data, campaign)
    campaign = campaign_json.in_language(campaign, wanted.language)
    if not campaign.needs_place:
        place = postcodes.NOWHERE
    elif wanted.postcode is not None:
        place = pipeline.find_place(wanted.postcode)
    else:
        try:
            place = pipeline.chosen_place(wanted.constituency_code, wanted.pfa_code)
        except UnknownArea as exc:
            raise letter_request.InvalidInput({exc.field: [str(exc)]}) from None
    nation_campaign = pipeline.for_place(campaign, place)
    other = [p for p in wanted.choices.talking_points if nation_campaign.point(p) is None]
    if other:
        raise letter_request.InvalidInput(
            {"talking_points": [f"Talking point {other[0]!r} is not for {place.country}."]}
        )
    drafts = pipeline.drafts(campaign, place, wanted.sender, wanted.choices, wanted.recipients)
    if not drafts and wanted.recipients:
        raise letter_request.InvalidInput({"recipients": [_nobody_here(wanted, place)]})
    recipients = replies.keys_for(place, [d.letter.recipient for d in drafts])
    ref = tally.clean_ref(request.args.get("ref", ""))
    if not limits.may_label(campaign.slug, ref):
        ref = tally.OTHER_REF
    tally.count(campaign.slug, "letters", channel="api", ref=ref, recipients=recipients)
    # Addition: the receipt that counts "sent" (POST …/sent) once the supporter says so.
    token = receipts.issue(campaign.slug, recipients, channel="api", ref=ref)
    return {"letters": [_letter(d) for d in drafts], "token": token}


@bp.post("/campaigns/<slug>/sent")
@limits.letters()
def sent(slug: str):
    """The supporter says they sent the letters: counted once per token from the letters
    answer, within a day of it (receipts.py), under that answer's partner label."""
    campaign = _live(slug)
    data = request.get_json(silent=True)
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return error_response(
            400,
            "invalid_input",
            'Send a JSON object {"token": ...} with Content-Type: application/json.',
            fields={"token": ["The token from the letters answer."]},
        )
    receipt = receipts.read(token, campaign.slug, receipts.SENT_SECONDS)
    if receipt is None:
        return error_response(
            400,
            "invalid_token",
            "That token is not one this campaign's letters answer gave, or it is more than a "
            "day old.",
        )
    counted = receipts.spend(receipt, "sent", receipts.SENT_SECONDS)
    if counted:
        tally.count(campaign.slug, "sent", channel=receipt.channel, ref=receipt.ref)
    return {"counted": counted}


def _nobody_here(wanted: letter_request.LetterRequest, place) -> str:
    names = ", ".join(repr(r) for r in wanted.recipients or ())
    return f"There is nobody to write to for {names} in {place.constituency_name}."


def _letter(draft: pipeline.Draft) -> dict:
    r = draft.letter.recipient
    return {
        "recipient": {
            "role": r.role,
            "name": r.name,
            "email": r.email,
            "contact_url": r.contact_url,
            # Addition: a home page, for "use Contact us on their site" when there is no better.
            "website": r.website,
            # Addition: where a body with no email address takes letters by post.
            "postal_address": r.postal_address,
        },
        "to": list(draft.to),
        "subject": draft.letter.subject,
        "body": draft.letter.body,
        "links": draft.links.as_dict(),
        # Additions to the contract: when "too_long" is true the full links are null and
        # "open_links" (address and subject only) let the supporter paste the copied body.
        "too_long": draft.links.too_long,
        "open_links": draft.open_links.as_dict(),
    }
