"""The letters step: what the supporter chose and wrote becomes one editable letter per
recipient, with its send buttons, its .eml and its printable page. A POST that carries
everything it needs; nothing is stored. Routes on the supporter's blueprint (``public.bp``).
"""

import re
from datetime import UTC
from datetime import datetime

import orjson
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from markupsafe import escape

from advocacy.letters import campaign_json
from advocacy.letters import delivery
from advocacy.letters import letter_request
from advocacy.letters import postal
from advocacy.letters.campaigns import Campaign
from advocacy.letters.message import N_
from advocacy.letters.message import listed
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places import replies
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.platform import limits
from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.supporters.public import areas_given
from advocacy.supporters.public import bp
from advocacy.supporters.public import campaign_for
from advocacy.supporters.public import carried
from advocacy.supporters.public import choose_page
from advocacy.supporters.public import closed_page
from advocacy.supporters.public import embedded
from advocacy.supporters.public import form_data
from advocacy.supporters.public import same_site_only
from advocacy.supporters.public import start_again
from advocacy.supporters.public import start_page


@bp.post("/c/<slug>/letters")
@bp.post("/embed/<slug>/letters", endpoint="embed_letters")
@same_site_only(start_again)
@limits.letters()
def letters(slug: str):
    """Letters for the choices posted; also rebuilds links for edited text (no JavaScript)."""
    campaign = campaign_for(slug)
    if campaign.status == "closed":
        return closed_page(campaign)
    data = form_data(campaign)
    # Where the letters go comes first: without a place there is no form to show errors on.
    try:
        place = pipeline.place_of(
            campaign, data["postcode"] or "", data["constituency_code"], data["pfa_code"]
        )
        areas_given(campaign, place)
        pipeline.directory().recipients(place, campaign.targets)  # OutsideCoverage, early
        nation_campaign = pipeline.for_place(campaign, place)
    except (postcodes.PostcodeError, OutsideCoverage, UnknownArea) as exc:
        return start_page(campaign, data["postcode"], error=exc.args[0], manual=True, status=400)
    try:
        wanted = letter_request.parse(data, nation_campaign)  # their nation's points only
    except letter_request.InvalidInput as exc:
        return choose_page(campaign, place, form=data, errors=exc.fields, status=400)
    if request.form.get("change") == "1":  # "Change my answers": back, everything kept
        return choose_page(campaign, place, form=data)
    # The letters in the language chosen for them; the page around them in the page's.
    written = campaign_json.in_language(campaign, wanted.language)
    drafts = pipeline.drafts(written, place, wanted.sender, wanted.choices, wanted.recipients)
    if not drafts and wanted.recipients:  # only people not at this place were ticked
        errors = {"recipients": [letter_request.NOBODY_CHOSEN]}
        return choose_page(
            campaign, place, form={**data, "recipients": []}, errors=errors, status=400
        )
    if "subject-0" in request.form:  # sent again after an edit: the letters as edited
        drafts = [_edited(i, d) for i, d in enumerate(drafts)]
    if "eml" in request.form:
        return _eml(drafts, request.form["eml"])
    if "print" in request.form:
        return _print(campaign, place, wanted, drafts, request.form["print"])
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
        webmail=WEBMAIL_ATTRIBUTE,
        budgets=BUDGETS_ATTRIBUTE,
        unlimited_mailto=delivery.MAILTO_UNLIMITED_BUDGET,
        # Who the letters went to, as the "I've sent my letters" button carries it on to the
        # thank-you page's reply link: roles and codes only.
        reply_keys=replies.link_values(keys),
        # What lets "I've sent my letters" and the reply page count: see receipts.py.
        receipt=receipt,
        by_post=postal.by_post(d.letter.recipient for d in drafts),
        by_email=any(d.to for d in drafts),
        # Each letter's campaign paragraphs, for site.js's count of the supporter's own words.
        stocks=[_attribute_json(d.letter.stock) for d in drafts],
        overview=overview(drafts),
        envelope=postal.recipient_block,
    )


def _attribute_json(value: object) -> Markup:
    """``value | tojson | forceescape`` as the page had it (orjson, as the app's JSON), made
    in one go rather than through three filters: site.js reads these attributes."""
    return escape(str(htmlsafe_json_dumps(value, dumps=_sorted_json)))


def _sorted_json(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


WEBMAIL_ATTRIBUTE = _attribute_json({k: c[:4] for k, c in delivery.WEBMAIL.items()})
BUDGETS_ATTRIBUTE = _attribute_json(delivery.BUDGETS)


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
    total = len(drafts)
    if total == 1:
        return ONE_LETTER[next(k for k, n in routes.items() if n)]
    parts = [
        SOME_LETTERS[k][0] if n == 1 else N_(SOME_LETTERS[k][1], count=n)
        for k, n in routes.items()
        if n
    ]
    return N_("%(total)s letters: %(parts)s.", total=total, parts=listed(parts))


# The overview's words: one letter in all, and how many of several go each way.
ONE_LETTER = {
    "email": N_("1 letter: it opens in your email."),
    "web": N_("1 letter: it goes through their website."),
    "post": N_("1 letter: it is printed and posted."),
    "other": N_("1 letter: it needs another way to send it."),
}
SOME_LETTERS = {
    "email": (N_("1 opens in your email"), N_("%(count)s open in your email")),
    "web": (N_("1 goes through their website"), N_("%(count)s go through their websites")),
    "post": (N_("1 is printed and posted"), N_("%(count)s are printed and posted")),
    "other": (N_("1 needs another way to send it"), N_("%(count)s need another way to send them")),
}


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
        abort(400, N_("That letter isn't on this page any more. Please go back and try again."))
    letter = draft.letter
    return Response(
        delivery.eml(draft.to, letter.subject, letter.body),
        mimetype="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="{delivery.eml_filename(letter.subject)}"'
        },
    )


def _print(campaign: Campaign, place, wanted, drafts: list[pipeline.Draft], which: str):
    """A page to print and post: one letter ("0", "1"…) or every letter by post ("all"), each
    on its own sheet with both address blocks. The supporter's address is typed into the page
    itself (a field with no name, in no form), so what they change there never reaches us."""
    posted = postal.by_post(d.letter.recipient for d in drafts)
    chosen = (
        posted if which == "all" else [int(which)] if re.fullmatch(r"[0-9]{1,3}", which) else []
    )
    if not chosen or any(i not in posted for i in chosen):
        abort(400, N_("That letter isn't on this page any more. Please go back and try again."))
    today = datetime.now(UTC).date()
    return render_template(
        "supporters/print.html",
        campaign=campaign,
        drafts=[drafts[i] for i in chosen],
        to=postal.recipient_block,
        sender=postal.sender_block(wanted.sender.name, wanted.sender.address, place.postcode),
        date=postal.dated(today, wanted.language),
        letter_language=wanted.language,
    )
