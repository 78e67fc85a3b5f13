"""Supporter pages: campaign → postcode → choose points → letters → thank you.

Every step works without JavaScript, cookies or a session: the postcode step is a GET, and the
letters step is a POST that carries everything it needs, because nothing is stored. This module
has the blueprint and the steps up to choosing; ``letters_page`` and ``after_sending`` add theirs.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import quote_plus

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import Markup
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from advocacy.letters import campaign_json
from advocacy.letters import letter_request
from advocacy.letters import sanitize
from advocacy.letters.campaigns import Campaign
from advocacy.letters.message import N_
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.platform import cross_site
from advocacy.platform import errors
from advocacy.platform import languages
from advocacy.platform import limits
from advocacy.platform import models
from advocacy.platform import tally
from advocacy.platform.site import THEMES
from advocacy.supporters import pages

# Stands in for a supporter's postcode in a kept page: nothing to escape, and no real postcode.
SLOT = "QQ9 9QQ"
LISTS = "advocacy.supporters.public.lists"  # app.extensions: (directory, its lists as HTML)
bp = Blueprint("public", __name__)

# Each in two versions: the lists, or the one list of a campaign to no police.
LOOKUP_DOWN = (
    N_(
        "We couldn't look up your postcode just now. Please choose your constituency and police "
        "force from the lists below, or try your postcode again in a minute."
    ),
    N_(
        "We couldn't look up your postcode just now. Please choose your constituency from the "
        "list below, or try your postcode again in a minute."
    ),
)
ENTER_POSTCODE = N_("Enter your postcode, like SW1A 2DD.")
TOO_MANY_LOOKUPS = (
    N_(
        "We've had a lot of postcodes from your connection just now. Please choose your "
        "constituency and police force from the lists below, or try your postcode again in a "
        "minute."
    ),
    N_(
        "We've had a lot of postcodes from your connection just now. Please choose your "
        "constituency from the list below, or try your postcode again in a minute."
    ),
)
ROLE_NAMES = {
    "mp": N_("Your MP"),
    "police_force": N_("Your police force"),
    "police_oversight": N_("The body that oversees your police force"),
    "fixed": N_("Also receiving this campaign's letters"),
}
# The lists' groups (places.directory.NATIONS), named in the page's language.
NATION_LABELS = (N_("England"), N_("Scotland"), N_("Wales"), N_("Northern Ireland"))


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


def embedded() -> bool:
    """Whether this request is the flow inside a partner's iframe (``/embed/<slug>…``)."""
    endpoint = request.endpoint  # a proxy: looked up once
    return endpoint is not None and endpoint.startswith(EMBED)


def carried() -> dict[str, str]:
    """What travels through every step: the partner's ``ref``, in an embed its theme, and the
    language the supporter chose. Worked out once a request (a letters page asks for it
    several times)."""
    try:
        return dict(g.advocacy_carried[0])
    except AttributeError:
        pass
    # A GET's values are its query alone (Werkzeug's ``request.values``), which ``query`` has
    # read as a plain dictionary already: no second copy, no exception for each name it lacks.
    values = query() if request.method == "GET" else request.values
    out = {}
    if ref := tally.clean_ref(values.get("ref")):
        out["ref"] = ref
    if embedded() and values.get("theme") in THEMES:
        out["theme"] = values["theme"]
    if language := languages.explicit():
        out[languages.PARAM] = language
    g.advocacy_carried = (out, tuple(sorted(out.items())))
    return dict(out)


def carried_key() -> tuple[tuple[str, str], ...]:
    """``carried()`` as part of a kept page's key: sorted pairs, made once a request."""
    try:
        return g.advocacy_carried[1]
    except AttributeError:
        carried()
        return g.advocacy_carried[1]


def step_url(step: str, **values) -> str:
    """The URL of a step of the flow, staying inside the embed when the page is embedded."""
    endpoint = (EMBED if embedded() else "public.") + step
    if all(isinstance(v, str) for v in values.values()):  # most are: the same for everyone
        routes = current_app.url_map
        return _step_url(routes, request.script_root, endpoint, carried_key(), *values.items())
    return url_for(endpoint, **{**carried(), **values})


@functools.lru_cache(maxsize=1024)
def _step_url(
    _routes: Map,
    _script_root: str,
    endpoint: str,
    travelling: tuple[tuple[str, str], ...],
    *values: tuple[str, str],
) -> str:
    """A step's URL, built once per mount point, step, campaign and what travels with it."""
    return url_for(endpoint, **{**dict(travelling), **dict(values)})


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


def campaign_for(slug: str) -> Campaign:
    campaign = models.public_campaign(slug)
    if campaign is None:
        abort(404, N_("We can't find that campaign. Check the link, or see the list of campaigns."))
    if embedded():
        # Only the sites the campaign names may frame it; none named, nobody may.
        g.frame_ancestors = campaign.allowed_origins
    # In the page's language where the campaign has it; else its English, which the page says.
    return campaign_json.in_language(campaign, languages.current())


def closed_page(campaign: Campaign):
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


def query() -> dict[str, str]:
    """This request's query, the first value of each name, as a plain dictionary made once a
    request: a name it lacks is a dictionary miss (Werkzeug's ``MultiDict.get`` raises and
    catches an exception for one, and a step asks after several)."""
    try:
        return g.advocacy_query
    except AttributeError:
        g.advocacy_query = request.args.to_dict()
        return g.advocacy_query


def _no_lookup() -> bool:
    """Only a postcode costs a lookup: the page itself and the lists are not limited."""
    args = query()
    return not args.get("postcode", "").strip() or args.get("change") == "1"


@bp.get("/c/<slug>")
@bp.get("/embed/<slug>", endpoint="embed_campaign")
@limits.lookups(exempt_when=_no_lookup)
def campaign(slug: str):
    """The campaign page; with ?postcode= (or chosen areas) it goes on to the choose step."""
    campaign = campaign_for(slug)
    if campaign.status == "closed":
        return closed_page(campaign)
    args = query()
    if not campaign.needs_place:  # fixed recipients alone: no postcode to ask for
        if args.get("start") == "1":
            return choose_page(campaign, postcodes.NOWHERE)
        page = start_page(campaign)
        return pages.shareable(make_response(page), campaign.slug)
    postcode = args.get("postcode", "")[:64]
    manual = "constituency" in args or "pfa" in args
    if "postcode" in args and not postcode.strip() and not manual:
        # The button pressed with an empty box: say so, rather than show the same page again.
        return start_page(campaign, error=ENTER_POSTCODE, status=400)
    if not postcode.strip() and not manual or args.get("change") == "1":
        # "change=1": back from the points step, the postcode kept in the box to change.
        page = start_page(campaign, postcode, manual=args.get("manual") == "1")
        return pages.shareable(make_response(page), campaign.slug)  # unless it holds a postcode
    try:
        place = pipeline.locate(postcode, args.get("constituency"), args.get("pfa"))
        areas_given(campaign, place)
        return choose_page(campaign, place)
    except postcodes.LookupUnavailable:
        # An outage, not the supporter's mistake: a notice, not an error on their postcode.
        return _lookup_down(campaign, postcode)
    except (postcodes.PostcodeError, OutsideCoverage) as exc:
        # Outside the UK the UK's lists don't apply: only the link to them, for a UK home.
        manual = not isinstance(exc, OutsideCoverage) or exc.in_the_uk
        return start_page(campaign, postcode, error=exc.args[0], manual=manual, status=_status(exc))
    except UnknownArea as exc:
        return start_page(campaign, postcode, error=exc.args[0], manual=True, status=400)


@bp.errorhandler(429)
def too_many(exc: HTTPException):
    """Over the lookup limit on the campaign page: the lists still work (they cost no lookup)."""
    if request.endpoint not in ("public.campaign", EMBED + "campaign"):
        return errors.handle_http(exc)
    campaign = campaign_for(request.view_args["slug"])
    page, status = start_page(
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


def start_page(campaign, postcode="", *, error=None, notice=None, manual=False, status=200):
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
            letter_count=tally.public_count(campaign.slug),
        ),
        status,
    )


def _lookup_down(campaign: Campaign, postcode: str) -> tuple[str | bytes, int]:
    """The campaign page with the lists and a notice that the lookup is down, their postcode
    still in the box.

    While postcodes.io is down or the bulkhead is full, every supporter who types a postcode
    gets this page at once, and under a surge they come by the thousand: it must cost no more
    than the pages beside it. So it is rendered once (per campaign version, directory, address
    asked for and count shown) with a stand-in where the postcode goes, kept as the bytes
    either side of it, and each supporter's postcode is escaped into that one place, exactly as
    the template would have written it.
    """

    def full(typed: str) -> tuple[str, int]:
        return start_page(campaign, typed, notice=about_lists(LOOKUP_DOWN, campaign), manual=True)

    args = query()
    if "constituency" in args or "pfa" in args:  # rare: render it all
        return full(postcode)
    key = (
        "lookup down",
        request.endpoint,
        request.scheme,  # with the host and root: the page's own absolute address
        request.host,
        request.script_root,
        campaign.slug,
        carried_key(),
        tally.public_count(campaign.slug),
    )
    page = pages.rendered(key, campaign, lambda: _around(full(SLOT)[0]))
    if page is None:  # the template changed: be safe
        return full(postcode)
    before, after = page
    return before + str(escape(postcode)).encode() + after, 200


def _around(html: str) -> tuple[bytes, bytes] | None:
    """The page's bytes either side of the stand-in ``SLOT``; None unless the stand-in is
    there once, as written (so never inside a link, where it would be encoded)."""
    before, slot, after = html.partition(SLOT)
    if not slot or SLOT in after or quote_plus(SLOT) in html:
        return None
    return before.encode(), after.encode()


class Needs(NamedTuple):
    """Whom the supporter's place must find for a campaign: the pages ask only for that. (The
    constituency is always asked for: it places the supporter in a nation and the directory.)"""

    mp: bool
    force: bool  # a police force or the body that oversees it
    place: bool = True  # where they live at all: a campaign to fixed recipients alone asks not


@bp.app_template_global("needs")
def needs(campaign: Campaign) -> Needs:
    """A campaign to MPs alone never asks about the police, and one to the police never
    mentions the MP."""
    targets = set(campaign.targets)
    police = bool(targets & {"police_force", "police_oversight"})
    return Needs("mp" in targets, police, campaign.needs_place)


def areas_given(campaign: Campaign, place) -> None:
    """From the lists, a campaign that writes to the police needs the force chosen too.

    :raise UnknownArea: it wasn't.
    """
    if needs(campaign).force and place.postcode is None and not place.pfa_code:
        raise UnknownArea("pfa_code", N_("Choose your police force from the list."))


def about_lists(messages: tuple[str, str], campaign: Campaign) -> str:
    """A message that sends the supporter to the lists, naming the ones this campaign shows."""
    return messages[0] if needs(campaign).force else messages[1]


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
    key = (need, languages.current())
    kept = current_app.extensions.get(LISTS, {}).get(key)
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
            key: (book, html),
        }
    return html


def choose_page(campaign, place, *, form=None, errors=None, status=200):
    def render() -> str:
        nation_campaign = pipeline.for_place(campaign, place)  # only when not kept
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
    key = (request.endpoint, campaign.slug, place, carried_key())
    # Kept encoded: each answer after the first is then the bytes as they are.
    return pages.rendered(key, campaign, lambda: render().encode()), status


CROSS_SITE = N_(
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


def start_again(slug: str) -> tuple[str, str]:
    return step_url("campaign", slug=slug), N_("Start again on the campaign page")


def thank_you_page(slug: str) -> tuple[str, str]:
    values = request.form
    return step_url("thanks", slug=slug, r=values.getlist("r"), t=values.get("t")), (
        N_("Go on to the thank-you page")
    )


def reply_page_again(slug: str) -> tuple[str, str]:
    values = request.form
    url = url_for("public.reply", slug=slug, r=values.getlist("r"), t=values.get("t"))
    return url, N_("Back to your reply page")


def form_data(campaign: Campaign) -> dict:
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
        # The letters' language: the supporter's pick where the campaign has two, else the
        # campaign text's on this page.
        "language": form.get("letter_language") or campaign.language,
    }
