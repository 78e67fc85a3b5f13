"""Supporter pages: campaign → postcode → choose points → letters → thank you.

Every step works without JavaScript, cookies or a session: the postcode step is a GET, and the
letters step is a POST that carries everything it needs, because nothing is stored.
"""

import functools
import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote_plus

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import Markup
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from advocacy.letters import delivery
from advocacy.letters import letter_request
from advocacy.letters import postal
from advocacy.letters import sanitize
from advocacy.letters.campaigns import Campaign
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places import replies
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.platform import cross_site
from advocacy.platform import errors
from advocacy.platform import languages
from advocacy.platform import limits
from advocacy.platform import models
from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.studio import results
from advocacy.supporters import pages

# Stands in for a supporter's postcode in a kept page: nothing to escape, and no real postcode.
SLOT = "QQ9 9QQ"
LISTS = "advocacy.supporters.public.lists"  # app.extensions: (directory, its lists as HTML)
bp = Blueprint("public", __name__)

LOOKUP_DOWN = (
    "We couldn't look up your postcode just now. Please choose your {areas} from the {lists} "
    "below, or try your postcode again in a minute."
)
ENTER_POSTCODE = "Enter your postcode, like SW1A 2DD."
TOO_MANY_LOOKUPS = (
    "We've had a lot of postcodes from your connection just now. Please choose your "
    "{areas} from the {lists} below, or try your postcode again in a minute."
)
ROLE_NAMES = {
    "mp": "Your MP",
    "police_force": "Your police force",
    "police_oversight": "The body that oversees your police force",
    "fixed": "Also receiving this campaign's letters",
}


# Places people search the force list by, when the force is named after a county or region.
# A search that starts a force's list picks it over forces that only mention the search
# ("london" picks the Met, not the City of London Police): put the main place first.
FORCE_ALIASES = {
    "E23000001": "London Met Westminster Croydon",
    "E23000034": "Square Mile City",
    "E23000004": "Liverpool Wirral",
    "E23000005": "Manchester GMP Bolton Stockport Wigan Salford",
    "E23000007": "Newcastle Sunderland Gateshead Tyneside",
    "E23000010": "Leeds Bradford Wakefield Huddersfield Halifax",
    "E23000011": "Sheffield Rotherham Barnsley Doncaster",
    "E23000012": "Hull Grimsby Scunthorpe",
    "E23000013": "Middlesbrough Hartlepool Stockton",
    "E23000014": "Birmingham Coventry Wolverhampton Walsall Dudley Solihull",
    "E23000016": "Worcester Shrewsbury Telford Hereford",
    "E23000019": "Nottingham",
    "E23000021": "Leicester Rutland",
    "E23000023": "Cambridge Peterborough",
    "E23000024": "Norwich",
    "E23000026": "Luton Bedford",
    "E23000029": "Oxford Reading Milton Keynes Slough Berkshire Buckinghamshire",
    "E23000030": "Southampton Portsmouth Winchester Isle of Wight",
    "E23000032": "Canterbury Maidstone Medway",
    "E23000033": "Brighton Hove Crawley",
    "E23000035": "Plymouth Exeter Cornwall Devon Torquay",
    "E23000036": "Bristol Bath Taunton",
    "E23000039": "Bournemouth Poole",
    "N99999999": "Belfast Derry PSNI",
    "S23000009": "Glasgow Edinburgh Aberdeen Dundee Inverness",
    "W15000001": "Wrexham Bangor Anglesey",
    "W15000002": "Newport Monmouthshire",
    "W15000003": "Cardiff Swansea Bridgend",
    "W15000004": "Carmarthen Aberystwyth Powys",
}

EMBED = "public.embed_"
# Accent colours a partner may pick for an embed; anything else is ignored, so no CSS gets in.
THEMES = ("blue", "green", "purple", "red", "black")


def embedded() -> bool:
    """Whether this request is the flow inside a partner's iframe (``/embed/<slug>…``)."""
    return bool(request.endpoint and request.endpoint.startswith(EMBED))


def carried() -> dict[str, str]:
    """What travels through every step: the partner's ``ref``, in an embed its theme, and the
    language the supporter chose. Worked out once a request (a letters page asks for it
    several times)."""
    try:
        return dict(g.advocacy_carried)
    except AttributeError:
        pass
    values = request.values
    out = {}
    if ref := tally.clean_ref(values.get("ref")):
        out["ref"] = ref
    if embedded() and values.get("theme") in THEMES:
        out["theme"] = values["theme"]
    if language := languages.explicit():
        out[languages.PARAM] = language
    g.advocacy_carried = out
    return dict(out)


def step_url(step: str, **values) -> str:
    """The URL of a step of the flow, staying inside the embed when the page is embedded."""
    endpoint = (EMBED if embedded() else "public.") + step
    values = {**carried(), **values}
    if all(isinstance(v, str) for v in values.values()):  # most are: the same for everyone
        return _step_url(current_app.url_map, request.script_root, endpoint, *values.items())
    return url_for(endpoint, **values)


@functools.lru_cache(maxsize=1024)
def _step_url(_routes: Map, _script_root: str, endpoint: str, *values: tuple[str, str]) -> str:
    """A step's URL, built once per mount point, step, campaign and what travels with it."""
    return url_for(endpoint, **dict(values))


@bp.app_template_filter("lead_and_rest")
def lead_and_rest(html: str) -> tuple[Markup, Markup]:
    """A campaign's summary (sanitised when saved) as the sentence or two above the postcode
    box and the rest, shown after it under "Why this matters"."""
    lead, rest = sanitize.lead_and_rest(html)
    return Markup(lead), Markup(rest)


@bp.app_template_filter("new_tab_links")
def new_tab_links(html: str) -> Markup:
    """Staff HTML (already sanitised) with its links opening in a new tab: inside a partner's
    frame, a link must never replace the form."""
    return Markup(sanitize.new_tab(html))


@bp.app_context_processor
def labels():
    return {
        "role_names": ROLE_NAMES,
        "layout": "embed.html" if embedded() else "base.html",
        "step_url": step_url,
        "carried": carried,
        "force_aliases": FORCE_ALIASES,
    }


def _campaign(slug: str) -> Campaign:
    campaign = models.public_campaign(slug)
    if campaign is None:
        abort(404, "We can't find that campaign. Check the link, or see the list of campaigns.")
    if embedded():
        # Only the sites the campaign names may frame it; none named, nobody may.
        g.frame_ancestors = campaign.allowed_origins
    return campaign


def _closed(campaign: Campaign):
    return render_template("supporters/closed.html", campaign=campaign), 410


@bp.get("/privacy")
def privacy():
    """What happens to a supporter's details, in plain words, from the settings in force."""
    config = current_app.config
    return render_template(
        "supporters/privacy.html",
        cache_hours=max(1, round(float(config["POSTCODES_CACHE_TTL"]) / 3600)),
    )


@bp.get("/")
def index():
    page = render_template("supporters/index.html", campaigns=models.live_campaigns())
    return pages.shareable(make_response(page))


def _no_lookup() -> bool:
    """Only a postcode costs a lookup: the page itself and the lists are not limited."""
    args = request.args
    return not args.get("postcode", "").strip() or args.get("change") == "1"


@bp.get("/c/<slug>")
@bp.get("/embed/<slug>", endpoint="embed_campaign")
@limits.lookups(exempt_when=_no_lookup)
def campaign(slug: str):
    """The campaign page; with ?postcode= (or chosen areas) it goes on to the choose step."""
    campaign = _campaign(slug)
    if campaign.status == "closed":
        return _closed(campaign)
    args = request.args
    postcode = args.get("postcode", "")[:64]
    manual = "constituency" in args or "pfa" in args
    if "postcode" in args and not postcode.strip() and not manual:
        # The button pressed with an empty box: say so, rather than show the same page again.
        return _start(campaign, error=ENTER_POSTCODE, status=400)
    if not postcode.strip() and not manual or args.get("change") == "1":
        # "change=1": back from the points step, the postcode kept in the box to change.
        page = _start(campaign, postcode, manual=args.get("manual") == "1")
        return pages.shareable(make_response(page), campaign.slug)  # unless it holds a postcode
    try:
        place = pipeline.locate(postcode, args.get("constituency"), args.get("pfa"))
        _areas_given(campaign, place)
        return _choose(campaign, place)
    except postcodes.LookupUnavailable:
        # An outage, not the supporter's mistake: a notice, not an error on their postcode.
        return _lookup_down(campaign, postcode)
    except (postcodes.PostcodeError, OutsideCoverage) as exc:
        # Outside the UK the UK's lists don't apply: only the link to them, for a UK home.
        manual = not isinstance(exc, OutsideCoverage) or exc.in_the_uk
        return _start(campaign, postcode, error=str(exc), manual=manual, status=_status(exc))
    except UnknownArea as exc:
        return _start(campaign, postcode, error=str(exc), manual=True, status=400)


@bp.errorhandler(429)
def too_many(exc: HTTPException):
    """Over the lookup limit on the campaign page: the lists still work (they cost no lookup)."""
    if request.endpoint not in ("public.campaign", EMBED + "campaign"):
        return errors.handle_http(exc)
    campaign = _campaign(request.view_args["slug"])
    page, status = _start(
        campaign,
        request.args.get("postcode", "")[:64],
        error=about_lists(TOO_MANY_LOOKUPS, campaign),
        manual=True,
    )
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(limits.retry_after())
    return response


def _status(exc: Exception) -> int:
    if isinstance(exc, OutsideCoverage | postcodes.ForcesPostcode):
        return 422
    return 400 if isinstance(exc, postcodes.InvalidPostcode) else 404


def _start(campaign, postcode="", *, error=None, notice=None, manual=False, status=200):
    return (
        render_template(
            "supporters/campaign.html",
            campaign=campaign,
            postcode=postcode,
            error=error,
            notice=notice,
            manual=manual,
            lists=lists(needs(campaign)) if manual else None,
            needs=needs(campaign),
            letter_count=results.public_count(campaign.slug),
        ),
        status,
    )


def _lookup_down(campaign: Campaign, postcode: str) -> tuple[str, int]:
    """The campaign page with the lists and a notice that the lookup is down, their postcode
    still in the box.

    While postcodes.io is down or the bulkhead is full, every supporter who types a postcode
    gets this page at once, and under a surge they come by the thousand: it must cost no more
    than the pages beside it. So it is rendered once (per campaign version, directory, address
    asked for and count shown) with a stand-in where the postcode goes, and each supporter's
    postcode is escaped into that one place, exactly as the template would have written it.
    """
    if "constituency" in request.args or "pfa" in request.args:  # rare: render it all
        return _start(campaign, postcode, notice=about_lists(LOOKUP_DOWN, campaign), manual=True)
    key = (
        "lookup down",
        request.endpoint,
        request.host_url,
        request.script_root,
        campaign.slug,
        tuple(sorted(carried().items())),
        results.public_count(campaign.slug),
    )
    html = pages.rendered(
        key,
        campaign,
        lambda: _start(campaign, SLOT, notice=about_lists(LOOKUP_DOWN, campaign), manual=True)[0],
    )
    before, slot, after = html.partition(SLOT)
    if not slot or SLOT in after or quote_plus(SLOT) in html:  # the template changed: be safe
        return _start(campaign, postcode, notice=about_lists(LOOKUP_DOWN, campaign), manual=True)
    return before + str(escape(postcode)) + after, 200


class Needs(NamedTuple):
    """Whom the supporter's place must find for a campaign: the pages ask only for that. (The
    constituency is always asked for: it places the supporter in a nation and the directory.)"""

    mp: bool
    force: bool  # a police force or the body that oversees it


@bp.app_template_global("needs")
def needs(campaign: Campaign) -> Needs:
    """A campaign to MPs alone never asks about the police, and one to the police never
    mentions the MP."""
    targets = set(campaign.targets)
    return Needs("mp" in targets, bool(targets & {"police_force", "police_oversight"}))


def _areas_given(campaign: Campaign, place) -> None:
    """From the lists, a campaign that writes to the police needs the force chosen too.

    :raise UnknownArea: it wasn't.
    """
    if needs(campaign).force and place.postcode is None and not place.pfa_code:
        raise UnknownArea("pfa_code", "Choose your police force from the list.")


def about_lists(message: str, campaign: Campaign) -> str:
    """A message that sends the supporter to the lists, naming the ones this campaign shows."""
    force = needs(campaign).force
    areas = "constituency and police force" if force else "constituency"
    return message.format(areas=areas, lists="lists" if force else "list")


BOTH = Needs(mp=True, force=True)


def lists(need: Needs = BOTH) -> Markup:
    """The list of constituencies, and of police forces if the campaign needs them, as HTML.

    When postcodes.io is down, every supporter gets them on a page that holds their postcode,
    so that page is never kept whole; but the lists are the same for everyone who has chosen
    nothing yet, and they are most of its cost (10 ms of a 10.2 ms page), so they are rendered
    once per directory (with its corrections) and kept in this worker.
    """
    book = pipeline.directory()
    chosen = (request.args.get("constituency"), request.args.get("pfa"))
    unchosen = chosen == (None, None)
    kept = current_app.extensions.get(LISTS, {}).get(need)
    if unchosen and kept is not None and kept[0] is book:
        return kept[1]
    html = Markup(
        render_template(
            "supporters/_lists.html",
            constituencies=book.grouped_constituencies(),
            force_areas=sorted(book.force_areas.values(), key=lambda a: a.force.name),
            chosen=chosen,
            needs=need,
        )
    )
    if unchosen and float(current_app.config["CACHE_CHECK_SECONDS"]) > 0:
        # A new dictionary, assigned at once: safe across threads.
        current_app.extensions[LISTS] = {
            **current_app.extensions.get(LISTS, {}),
            need: (book, html),
        }
    return html


def _choose(campaign, place, *, form=None, errors=None, status=200):
    nation_campaign = pipeline.for_place(campaign, place)

    def render() -> str:
        recipients = pipeline.directory().recipients(
            place, nation_campaign.targets, pipeline.fixed_recipients(nation_campaign)
        )
        return render_template(
            "supporters/choose.html",
            campaign=nation_campaign,
            place=place,
            recipients=recipients,
            choice_id=letter_request.choice_id,
            form=form,
            errors=errors or {},
        )

    if form is not None or errors:  # holds what the supporter typed: never kept
        return render(), status
    key = (request.endpoint, campaign.slug, place, tuple(sorted(carried().items())))
    return pages.rendered(key, campaign, render), status


CROSS_SITE = (
    "That form was sent to us from another website, so we haven't used it or counted anything."
)


def same_site_only(way_on: Callable[[str], tuple[str, str]]) -> Callable:
    """Refuse (403) a POST another site sent, before it costs the client's rate limit. The page
    it gets offers ``way_on(slug)`` (a link and its words): a real supporter never meets this,
    but if one does, it is not a dead end."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(slug: str, **kwargs):
            if not cross_site.refused():
                return view(slug, **kwargs)
            href, label = way_on(slug)
            if embedded() and (campaign := models.public_campaign(slug)) is not None:
                g.frame_ancestors = campaign.allowed_origins  # shown in the partner's frame
            page = render_template(
                "supporters/refused.html", message=CROSS_SITE, href=href, label=label
            )
            return page, 403

        return checked

    return decorator


def _start_again(slug: str) -> tuple[str, str]:
    return step_url("campaign", slug=slug), "Start again on the campaign page"


def _thank_you_page(slug: str) -> tuple[str, str]:
    values = request.form
    return step_url("thanks", slug=slug, r=values.getlist("r"), t=values.get("t")), (
        "Go on to the thank-you page"
    )


def _reply_page_again(slug: str) -> tuple[str, str]:
    values = request.form
    url = url_for("public.reply", slug=slug, r=values.getlist("r"), t=values.get("t"))
    return url, "Back to your reply page"


def _form_data(campaign: Campaign) -> dict:
    form = request.form
    return {
        "postcode": form.get("postcode", ""),
        "constituency_code": form.get("constituency_code"),
        "pfa_code": form.get("pfa_code"),
        "name": form.get("name"),
        "address": form.get("address"),
        "talking_points": form.getlist("talking_points"),
        "answers": {p.id: form.get(f"answer-{p.id}", "") for p in campaign.prompts},
        # Only a form that offered the boxes chooses: unticking them all is then a choice of
        # nobody, not a form from before the boxes (a page kept open across an upgrade).
        "recipients": form.getlist("recipients") if "recipients-offered" in form else None,
    }


@bp.post("/c/<slug>/letters")
@bp.post("/embed/<slug>/letters", endpoint="embed_letters")
@same_site_only(_start_again)
@limits.letters()
def letters(slug: str):
    """Letters for the choices posted; also rebuilds links for edited text (no JavaScript)."""
    campaign = _campaign(slug)
    if campaign.status == "closed":
        return _closed(campaign)
    data = _form_data(campaign)
    # Where the letters go comes first: without a place there is no form to show errors on.
    try:
        place = pipeline.locate(data["postcode"] or "", data["constituency_code"], data["pfa_code"])
        _areas_given(campaign, place)
        pipeline.directory().recipients(place, campaign.targets)  # OutsideCoverage, early
        nation_campaign = pipeline.for_place(campaign, place)
    except (postcodes.PostcodeError, OutsideCoverage, UnknownArea) as exc:
        return _start(campaign, data["postcode"], error=str(exc), manual=True, status=400)
    try:
        wanted = letter_request.parse(data, nation_campaign)  # their nation's points only
    except letter_request.InvalidInput as exc:
        return _choose(campaign, place, form=data, errors=exc.fields, status=400)
    if request.form.get("change") == "1":  # "Change my answers": back, everything kept
        return _choose(campaign, place, form=data)
    drafts = pipeline.drafts(campaign, place, wanted.sender, wanted.choices, wanted.recipients)
    if not drafts and wanted.recipients:  # only people not at this place were ticked
        errors = {"recipients": [letter_request.NOBODY_CHOSEN]}
        return _choose(campaign, place, form={**data, "recipients": []}, errors=errors, status=400)
    drafts = [_edited(i, d) for i, d in enumerate(drafts)]
    if "eml" in request.form:
        return _eml(drafts, request.form["eml"])
    if "print" in request.form:
        return _print(campaign, place, wanted.sender, drafts, request.form["print"])
    keys = replies.keys_for(place, [d.letter.recipient for d in drafts])
    if "subject-0" not in request.form:  # drafted now, not re-linked after an edit
        ref = _count(campaign, "letters", recipients=keys)
        receipt = receipts.issue(campaign.slug, keys, channel=_channel(), ref=ref)
    else:  # re-linked: the receipt the page was given goes on with it, and no other
        receipt = _kept_receipt(campaign, keys)
    return render_template(
        "supporters/letters.html",
        campaign=campaign,
        place=place,
        drafts=drafts,
        form=data,
        webmail={k: c[:4] for k, c in delivery.WEBMAIL.items()},
        budgets=delivery.BUDGETS,
        unlimited_mailto=delivery.MAILTO_UNLIMITED_BUDGET,
        # Who the letters went to, as the "I've sent my letters" button carries it on to the
        # thank-you page's reply link: roles and codes only.
        reply_keys=replies.link_values(keys),
        # What lets "I've sent my letters" and the reply page count: see receipts.py.
        receipt=receipt,
        by_post=postal.by_post(d.letter.recipient for d in drafts),
        overview=overview(drafts),
        envelope=postal.recipient_block,
    )


def overview(drafts: list[pipeline.Draft]) -> str:
    """What the letters page holds, by how each letter is sent: "3 letters: 1 opens in your
    email, 2 go through their websites." A supporter on a phone sees it before scrolling."""
    routes = {"email": 0, "post": 0, "web": 0, "other": 0}
    for d in drafts:
        r = d.letter.recipient
        key = (
            "email"
            if d.to
            else "post"
            if r.by_post
            else "web"
            if r.contact_url or r.website
            else "other"
        )
        routes[key] += 1
    words = {
        "email": ("opens in your email", "open in your email"),
        "web": ("goes through their website", "go through their websites"),
        "post": ("is printed and posted", "are printed and posted"),
        "other": ("needs another way to send it", "need another way to send them"),
    }
    parts = [f"{n} {words[k][n != 1]}" for k, n in routes.items() if n]
    total = len(drafts)
    if total == 1:
        return "1 letter: it " + words[next(k for k, n in routes.items() if n)][0] + "."
    return f"{total} letters: " + ", ".join(parts) + "."


def _channel() -> str:
    return "embed" if embedded() else "page"


def _count(campaign: Campaign, event: str, recipients=()) -> str:
    """Count ``event``; returns the partner label it was counted under."""
    ref = carried().get("ref", "")
    if not limits.may_label(campaign.slug, ref):
        ref = tally.OTHER_REF
    tally.count(campaign.slug, event, channel=_channel(), ref=ref, recipients=recipients)
    return ref


def _kept_receipt(campaign: Campaign, keys: list[replies.Key]) -> str | None:
    """The receipt posted back with re-linked letters, if it is this page's own."""
    token = request.form.get("t")
    receipt = receipts.read(token, campaign.slug, receipts.REPLY_SECONDS)
    if receipt is None or set(receipt.recipients) != set(replies.link_values(keys)):
        return None
    return token


def _edited(index: int, draft: pipeline.Draft) -> pipeline.Draft:
    subject = request.form.get(f"subject-{index}")
    body = request.form.get(f"body-{index}")
    if subject is None or body is None:
        return draft
    return pipeline.redraft(draft, subject[:500], body[:20_000])


def _eml(drafts: list[pipeline.Draft], which: str) -> Response:
    try:
        draft = drafts[int(which)]
    except (ValueError, IndexError):
        abort(400, "That letter isn't on this page any more. Please go back and try again.")
    letter = draft.letter
    return Response(
        delivery.eml(draft.to, letter.subject, letter.body),
        mimetype="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="{delivery.eml_filename(letter.subject)}"'
        },
    )


def _print(campaign: Campaign, place, sender, drafts: list[pipeline.Draft], which: str):
    """A page to print and post: one letter ("0", "1"…) or every letter by post ("all"), each
    on its own sheet with both address blocks. The supporter's address is typed into the page
    itself (a field with no name, in no form), so what they change there never reaches us."""
    posted = postal.by_post(d.letter.recipient for d in drafts)
    chosen = (
        posted if which == "all" else [int(which)] if re.fullmatch(r"[0-9]{1,3}", which) else []
    )
    if not chosen or any(i not in posted for i in chosen):
        abort(400, "That letter isn't on this page any more. Please go back and try again.")
    today = datetime.now(UTC).date()
    return render_template(
        "supporters/print.html",
        campaign=campaign,
        drafts=[drafts[i] for i in chosen],
        to=postal.recipient_block,
        sender=postal.sender_block(sender.name, sender.address, place.postcode),
        date=f"{today.day} {today:%B %Y}",
    )


@bp.get("/c/<slug>/thanks")
@bp.get("/embed/<slug>/thanks", endpoint="embed_thanks")
def thanks(slug: str):
    """The thank-you page. Opening it counts nothing: only pressing "I've sent my letters"
    (a POST, below) does, so a reload, a link or a crawler never adds to the count."""
    return _thanks(_campaign(slug))


@bp.post("/c/<slug>/thanks")
@bp.post("/embed/<slug>/thanks", endpoint="embed_sent")
@same_site_only(_thank_you_page)
@limits.letters()
def sent(slug: str):
    """The "I've sent my letters" button, then on (303) to the thank-you page, so reloading that
    page asks again for nothing and counts nothing. It counts once per receipt from the letters
    page (under the channel and label the letters were counted under), and never for a closed
    campaign; without a receipt the supporter still gets their thank-you page."""
    campaign = _campaign(slug)
    token = request.form.get("t")
    receipt = receipts.read(token, campaign.slug, receipts.SENT_SECONDS)
    if (
        receipt is not None
        and campaign.status != "closed"
        and receipts.spend(receipt, "sent", receipts.SENT_SECONDS)
    ):
        tally.count(campaign.slug, "sent", channel=receipt.channel, ref=receipt.ref)
    asked = replies.parse(campaign, request.values.getlist("r"))
    kept = _reply_receipt(campaign, token)
    return redirect(step_url("thanks", slug=campaign.slug, r=[a.key for a in asked], t=kept), 303)


def _reply_receipt(campaign: Campaign, token: str | None) -> str | None:
    """``token`` if it can still count answers on the reply page, else None."""
    return token if receipts.read(token, campaign.slug, receipts.REPLY_SECONDS) else None


def _thanks(campaign: Campaign):
    asked = replies.parse(campaign, request.values.getlist("r"))
    reply_url = None
    if asked:
        # The full page, never the embed: the supporter keeps this link and opens it later.
        reply_url = url_for(
            "public.reply",
            slug=campaign.slug,
            r=[a.key for a in asked],
            t=_reply_receipt(campaign, request.args.get("t")),
            _external=True,
        )
    return render_template(
        "supporters/thanks.html",
        campaign=campaign,
        share_url=request.url_root.rstrip("/") + f"/c/{campaign.slug}",
        reply_url=reply_url,
    )


NOBODY_TO_ASK = (
    "This link doesn't name anyone this campaign wrote to. Use the link from your thank-you "
    "page as it was, or go back to the campaign."
)
CANNOT_COUNT = (
    "We can't count answers from this link: it is more than 90 days old, or it isn't the link "
    "from your thank-you page as it was. Thank you for writing."
)
CLOSED_REPLIES = "This campaign has closed, so we no longer count answers. Thank you for writing."


@bp.get("/c/<slug>/reply")
def reply(slug: str):
    """The reply page: "Did they reply?" buttons for each recipient the kept link names."""
    campaign = _campaign(slug)
    token = request.args.get("t")
    receipt = receipts.read(token, campaign.slug, receipts.REPLY_SECONDS)
    asked = _asked(campaign, request.args.getlist("r"), receipt)
    if not asked:
        return _reply_page(campaign, asked, error=NOBODY_TO_ASK, status=400)
    if campaign.status == "closed":
        return _reply_page(campaign, asked, notice=CLOSED_REPLIES)
    if receipt is None:
        return _reply_page(campaign, asked, notice=CANNOT_COUNT)
    return _reply_page(campaign, asked, token=token)


def _asked(campaign: Campaign, values: list[str], receipt: receipts.Receipt | None):
    """Who the reply page asks about: those the link names (all its receipt names, when it
    names nobody itself) that the receipt names too."""
    if receipt is not None:
        values = [v for v in values or receipt.recipients if v in receipt.recipients]
    return replies.parse(campaign, values)


@bp.post("/c/<slug>/replies")
@same_site_only(_reply_page_again)
@limits.letters()
def record_reply(slug: str):
    """One supporter's answer about one recipient, counted for that recipient only: with the
    receipt from their letters, naming that recipient, once per answer, while the campaign is
    open."""
    campaign = _campaign(slug)
    role, code = request.form.get("role", ""), request.form.get("code", "")
    answer = request.form.get("replied")
    told = replies.recipient(campaign, role, code)
    if told is None or answer not in ("yes", "no"):
        abort(400, "We couldn't count that answer. Please use the buttons on your reply page.")
    token = request.form.get("t")
    receipt = receipts.read(token, campaign.slug, receipts.REPLY_SECONDS)
    asked = _asked(campaign, request.form.getlist("r"), receipt)
    if campaign.status == "closed":
        return _reply_page(campaign, asked, notice=CLOSED_REPLIES, status=410)
    key = f"{role}:{code}"
    if receipt is None or key not in receipt.recipients:
        return _reply_page(campaign, asked, error=CANNOT_COUNT, status=400)
    if receipts.spend(receipt, f"reply:{key}:{answer}", receipts.REPLY_SECONDS):
        tally.count_reply(campaign.slug, role, code, replied=answer == "yes")
    return _reply_page(campaign, asked, told=(told, answer == "yes"), done=key, token=token)


def _reply_page(
    campaign, asked, *, error=None, notice=None, told=None, done=None, token=None, status=200
):
    response = make_response(
        render_template(
            "supporters/reply.html",
            campaign=campaign,
            asked=asked,
            error=error,
            notice=notice,
            told=told,
            done=done,
            receipt=token,
        ),
        status,
    )
    # The link names the supporter's MP and police force: as private as a postcode.
    response.headers["Cache-Control"] = "no-store"
    return response
