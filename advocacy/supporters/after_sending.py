"""After the letters: "I've sent my letter" (counted, never stored with who sent it), the thank
you page with its share buttons, and the reply page where a supporter says what answer came.
Routes on the supporter's blueprint (``public.bp``).
"""

from flask import abort
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from advocacy.letters.campaigns import Campaign
from advocacy.letters.message import N_
from advocacy.places import replies
from advocacy.platform import limits
from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.supporters.public import bp
from advocacy.supporters.public import campaign_for
from advocacy.supporters.public import reply_page_again
from advocacy.supporters.public import same_site_only
from advocacy.supporters.public import step_url
from advocacy.supporters.public import thank_you_page


@bp.get("/c/<slug>/thanks")
@bp.get("/embed/<slug>/thanks", endpoint="embed_thanks")
def thanks(slug: str):
    """The thank-you page. Opening it counts nothing: only pressing "I've sent my letters"
    (a POST, below) does, so a reload, a link or a crawler never adds to the count."""
    return _thanks(campaign_for(slug))


@bp.post("/c/<slug>/thanks")
@bp.post("/embed/<slug>/thanks", endpoint="embed_sent")
@same_site_only(thank_you_page)
@limits.letters()
def sent(slug: str):
    """The "I've sent my letters" button, then on (303) to the thank-you page, so reloading that
    page asks again for nothing and counts nothing. It counts once per receipt from the letters
    page (under the channel and label the letters were counted under), and never for a closed
    campaign; without a receipt the supporter still gets their thank-you page."""
    campaign = campaign_for(slug)
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


NOBODY_TO_ASK = N_(
    "This link doesn't name anyone this campaign wrote to. Use the link from your thank-you "
    "page as it was, or go back to the campaign."
)
CANNOT_COUNT = N_(
    "We can't count answers from this link: it is more than 90 days old, or it isn't the link "
    "from your thank-you page as it was. Thank you for writing."
)
CLOSED_REPLIES = N_(
    "This campaign has closed, so we no longer count answers. Thank you for writing."
)


@bp.get("/c/<slug>/reply")
def reply(slug: str):
    """The reply page: "Did they reply?" buttons for each recipient the kept link names."""
    campaign = campaign_for(slug)
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
@same_site_only(reply_page_again)
@limits.letters()
def record_reply(slug: str):
    """One supporter's answer about one recipient, counted for that recipient only: with the
    receipt from their letters, naming that recipient, once per answer, while the campaign is
    open."""
    campaign = campaign_for(slug)
    role, code = request.form.get("role", ""), request.form.get("code", "")
    answer = request.form.get("replied")
    told = replies.recipient(campaign, role, code)
    if told is None or answer not in ("yes", "no"):
        abort(400, N_("We couldn't count that answer. Please use the buttons on your reply page."))
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
