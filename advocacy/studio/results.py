"""Results for staff: what supporters did, from the aggregate counts only.

``/admin/campaigns/<id>/results`` shows letters and sends per day (a chart drawn here as inline
SVG, with the same figures in a table, so it needs no JavaScript), totals by channel and partner
label, the busiest constituencies and police force areas, and what supporters told us about
replies; two CSV exports carry the same counts. Every figure is a count per day and campaign:
nothing here, or in the tables it reads, is about one supporter.

The page also switches the public counter ("N letters written so far" on the campaign page),
which each worker reads from the same counts at most every ``PUBLIC_COUNTER_SECONDS``.
"""

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from advocacy.places import pipeline
from advocacy.places import replies
from advocacy.platform import models
from advocacy.platform import tally
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import PublicCounter
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db
from advocacy.studio.auth import staff_required

bp = Blueprint("results", __name__, url_prefix="/admin")
DEFAULT_DAYS = 30
MAX_DAYS = 366  # the page draws one bar pair a day; the CSVs take any range
TOP = 10
CHANNEL_NAMES = {"page": "Campaign page", "embed": "Partner embeds", "api": "Partner apps (API)"}
ROLE_LABELS = {
    "mp": "MP",
    "police_force": "Police force",
    "police_oversight": "Oversight body",
    "fixed": "Named by the campaign",
}
# Series drawn in the chart: the event, its name, its colour (3:1 or more against white).
# A "letters" count is a supporter drafting their letters (one to each recipient they chose):
# pages say "supporters who wrote", and letters are counted per recipient (RecipientTally).
SERIES = (
    ("letters", "Supporters who wrote", "#1d70b8"),
    ("sent", "Said they sent them", "#00703c"),
)
# A cell a spreadsheet would read as a formula starts with one of these (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- Date ranges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def args(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


class BadRange(ValueError):
    pass


def today() -> date:
    return datetime.now(UTC).date()


def default_range() -> Range:
    end = today()
    return Range(end - timedelta(days=DEFAULT_DAYS - 1), end)


def parse_range(args, *, max_days: int | None = None) -> Range:
    """``?from=`` and ``?to=`` (ISO dates, both included); either missing: the last 30 days.

    :raise BadRange: a date that isn't one, an end before the start, or a range too long.
    """
    default = default_range()
    try:
        start = date.fromisoformat(args["from"]) if args.get("from") else None
        end = date.fromisoformat(args["to"]) if args.get("to") else default.end
    except ValueError:
        raise BadRange("Enter dates like 2026-05-31.") from None
    if start is None:
        try:
            start = end - timedelta(days=DEFAULT_DAYS - 1)
        except OverflowError:  # an end in the first days of year 1: no 30 days before it
            raise BadRange("The end date is too early.") from None
    if end < start:
        raise BadRange("The end date is before the start date.")
    if max_days is not None and (end - start).days + 1 > max_days:
        raise BadRange(f"Choose at most {max_days} days here; the CSV downloads take any range.")
    return Range(start, end)


# --- Counts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    letters: int
    sent: int


@dataclass(frozen=True)
class Totals:
    label: str
    letters: int
    sent: int


def _in(model, campaign_id: int, rng: Range):
    return (model.campaign_id == campaign_id, model.day >= rng.start, model.day <= rng.end)


def per_day(campaign_id: int, rng: Range) -> list[Day]:
    """Every day of the range, days without a count included (as zeros)."""
    counts: dict[tuple[date, str], int] = {}
    rows = db.session.execute(
        db.select(Tally.day, Tally.event, db.func.sum(Tally.total))
        .where(*_in(Tally, campaign_id, rng))
        .group_by(Tally.day, Tally.event)
    )
    for day, event, total in rows:
        counts[(day, event)] = int(total)
    return [Day(d, counts.get((d, "letters"), 0), counts.get((d, "sent"), 0)) for d in rng.days]


def _totals_by(column, campaign_id: int, rng: Range) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        db.select(column, Tally.event, db.func.sum(Tally.total))
        .where(*_in(Tally, campaign_id, rng))
        .group_by(column, Tally.event)
    )
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(tally.EVENTS, 0))
    for key, event, total in rows:
        out[key][event] = int(total)
    return out


def by_channel(campaign_id: int, rng: Range) -> list[Totals]:
    found = _totals_by(Tally.channel, campaign_id, rng)
    return [
        Totals(CHANNEL_NAMES[c], found[c]["letters"], found[c]["sent"])
        for c in tally.CHANNELS
        if c in found
    ]


def by_ref(campaign_id: int, rng: Range) -> list[Totals]:
    """Per partner label, busiest first; ``""`` is letters that came without one."""
    return [Totals(t.ref, t.letters, t.sent) for t in tally.by_ref(campaign_id, rng.start, rng.end)]


@dataclass(frozen=True)
class RecipientCounts:
    role: str
    code: str
    name: str  # from the directory as corrected, or the campaign's fixed recipient
    area: str  # the constituency or police force area; "" for fixed recipients
    letters: int
    replied: int
    no_reply: int

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _names(campaign, role: str, code: str) -> tuple[str, str]:
    """A recipient's name now (directory as corrected) and their area."""
    book = pipeline.directory()
    if role == "mp":
        mp = book.mps.get(code)
        con = book.constituencies.get(code)
        return (mp.name if mp else "", con.name if con else "")
    if role in ("police_force", "police_oversight"):
        area = book.force_areas.get(code)
        if area is None:
            return ("", "")
        body = area.force if role == "police_force" else area.oversight
        return (body.name, area.name)
    if role == "fixed" and campaign is not None:
        for r in campaign.fixed_recipients:
            if replies.fixed_key(r.name) == code:
                return (r.name, "")
    return ("", "")


def per_recipient(row: CampaignRow, rng: Range) -> list[RecipientCounts]:
    """Letters and reply answers per recipient in the range, most letters first."""
    found: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(tally.RECIPIENT_EVENTS, 0)
    )
    rows = db.session.execute(
        db.select(
            RecipientTally.role,
            RecipientTally.code,
            RecipientTally.event,
            db.func.sum(RecipientTally.total),
        )
        .where(*_in(RecipientTally, row.id, rng))
        .group_by(RecipientTally.role, RecipientTally.code, RecipientTally.event)
    )
    for role, code, event, total in rows:
        found[(role, code)][event] = int(total)
    campaign = row.to_campaign()
    out = [
        RecipientCounts(role, code, *_names(campaign, role, code), c["letters"], *_replies(c))
        for (role, code), c in found.items()
    ]
    return sorted(out, key=lambda r: (-r.letters, -r.replied, r.role, r.code))


def _replies(counts: dict[str, int]) -> tuple[int, int]:
    return counts["replied"], counts["no_reply"]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    detail: str
    letters: int
    oversight: int = 0  # police force areas: letters to the oversight body


def top_constituencies(recipients: list[RecipientCounts]) -> list[Area]:
    mps = [r for r in recipients if r.role == "mp" and r.letters]
    return [Area(r.code, r.area or r.code, r.name, r.letters) for r in mps[:TOP]]


def top_force_areas(recipients: list[RecipientCounts]) -> list[Area]:
    """Areas by letters to the force and its oversight body together."""
    areas: dict[str, dict] = {}
    for r in recipients:
        if r.role in ("police_force", "police_oversight") and r.letters:
            a = areas.setdefault(r.code, {"name": r.area or r.code, "force": "", "n": [0, 0]})
            a["n"][r.role == "police_oversight"] += r.letters
            if r.role == "police_force":
                a["force"] = r.name
    ranked = sorted(areas.items(), key=lambda kv: (-sum(kv[1]["n"]), kv[0]))
    return [Area(code, a["name"], a["force"], *a["n"]) for code, a in ranked[:TOP]]


def letters_by_campaign() -> dict[int, int]:
    """All-time letters per campaign id: one per recipient of each supporter who wrote."""
    rows = db.session.execute(
        db.select(RecipientTally.campaign_id, db.func.sum(RecipientTally.total))
        .where(RecipientTally.event == "letters")
        .group_by(RecipientTally.campaign_id)
    )
    return {campaign_id: int(total) for campaign_id, total in rows}


def totals_by_campaign() -> dict[int, Totals]:
    """All-time letters and sends per campaign id."""
    rows = db.session.execute(
        db.select(Tally.campaign_id, Tally.event, db.func.sum(Tally.total)).group_by(
            Tally.campaign_id, Tally.event
        )
    )
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(tally.EVENTS, 0))
    for campaign_id, event, total in rows:
        found[campaign_id][event] = int(total)
    return {i: Totals("", t["letters"], t["sent"]) for i, t in found.items()}


@bp.app_template_global("campaign_totals")
def campaign_totals() -> dict[int, Totals]:
    """For the campaign list: each campaign's letters and sends (this worker's included)."""
    tally.flush()
    return totals_by_campaign()


# --- The public counter ----------------------------------------------------------------------


def counter_shown(campaign_id: int) -> bool:
    row = db.session.get(PublicCounter, campaign_id)
    return bool(row and row.shown)


# --- The chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    event: str
    value: int
    colour: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    series: tuple


def _scale_top(largest: int) -> tuple[int, int]:
    """A round top for the y axis at or above ``largest``, and the step between its ticks."""
    if largest <= 4:
        return max(largest, 1), 1
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return step * math.ceil(largest / step), step


def short_date(d: date) -> str:
    return f"{d.day} {d.strftime('%b')}"


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def chart(days: list[Day], *, width: int = 720, height: int = 280) -> Chart:
    """Bars for letters and sends on each day, on one scale from zero."""
    left, top, right, bottom = 48, 36, width - 12, height - 32
    largest = max([max(d.letters, d.sent) for d in days] or [0])
    y_top, step = _scale_top(largest)
    plot_h = bottom - top
    slot = (right - left) / max(len(days), 1)
    bar_w = slot * 0.4
    bars = []
    for i, d in enumerate(days):
        for j, (event, _, colour) in enumerate(SERIES):
            value = getattr(d, event)
            h = plot_h * value / y_top
            x = left + i * slot + slot * 0.1 + j * bar_w
            bars.append(
                Bar(
                    round(x, 2),
                    round(bottom - h, 2),
                    round(bar_w, 2),
                    round(h, 2),
                    d.day,
                    event,
                    value,
                    colour,
                )
            )
    y_ticks = [(round(bottom - plot_h * v / y_top, 2), v) for v in range(0, y_top + 1, step)]
    every = max(1, math.ceil(len(days) / 6))
    x_labels = [
        (round(left + (i + 0.5) * slot, 2), short_date(d.day))
        for i, d in enumerate(days)
        if i % every == 0
    ]
    return Chart(width, height, left, top, right, bottom, bars, y_ticks, x_labels, SERIES)


# --- CSV -------------------------------------------------------------------------------------


def safe_cell(value):
    """A cell no spreadsheet runs as a formula: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe. Numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    # With a byte-order mark, so Excel opens the UTF-8 as UTF-8 (names like Ynys Môn).
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Views -----------------------------------------------------------------------------------


def _row(campaign_id: int) -> CampaignRow:
    return db.get_or_404(CampaignRow, campaign_id, description="There is no such campaign.")


@bp.get("/campaigns/<id:campaign_id>/results")
@staff_required
def results(campaign_id: int):
    row = _row(campaign_id)
    tally.flush()  # this worker's counts at once; other workers' within TALLY_FLUSH_SECONDS
    error, status = None, 200
    try:
        rng = parse_range(request.args, max_days=MAX_DAYS)
    except BadRange as exc:
        error, status, rng = str(exc), 400, default_range()
    days = per_day(row.id, rng)
    recipients = per_recipient(row, rng)
    answered = [r for r in recipients if r.replied or r.no_reply]
    answered.sort(key=lambda r: (-r.replied, -r.no_reply, r.role, r.code))
    all_time = totals_by_campaign().get(row.id, Totals("", 0, 0))
    all_time_letters = letters_by_campaign().get(row.id, 0)
    return (
        render_template(
            "studio/results.html",
            row=row,
            rng=rng,
            form_values=request.args if error else rng.args(),
            error=error,
            days=days,
            chart=chart(days),
            letters=sum(d.letters for d in days),  # supporters who wrote
            written=sum(r.letters for r in recipients),  # their letters, one per recipient
            all_time_letters=all_time_letters,
            sent=sum(d.sent for d in days),
            all_time=all_time,
            channels=by_channel(row.id, rng),
            refs=by_ref(row.id, rng),
            constituencies=top_constituencies(recipients),
            force_areas=top_force_areas(recipients),
            answered=answered,
            counter_shown=counter_shown(row.id),
            long_date=long_date,
        ),
        status,
    )


def _export_range() -> Range | Response:
    try:
        return parse_range(request.args)
    except BadRange as exc:
        return Response(str(exc), status=400, mimetype="text/plain")


@bp.get("/campaigns/<id:campaign_id>/results.csv")
@staff_required
def results_csv(campaign_id: int):
    """One row per day, event, channel and partner label: ``day,event,channel,ref,count``."""
    row = _row(campaign_id)
    rng = _export_range()
    if isinstance(rng, Response):
        return rng
    tally.flush()
    found = db.session.execute(
        db.select(Tally.day, Tally.event, Tally.channel, Tally.ref, Tally.total)
        .where(*_in(Tally, row.id, rng))
        .order_by(Tally.day, Tally.event, Tally.channel, Tally.ref)
    )
    rows = [["day", "event", "channel", "ref", "count"]]
    rows += [[d.isoformat(), e, c, ref, n] for d, e, c, ref, n in found]
    return csv_response(rows, f"{row.slug}-results-{rng.start}-to-{rng.end}.csv")


@bp.get("/campaigns/<id:campaign_id>/recipients.csv")
@staff_required
def recipients_csv(campaign_id: int):
    """One row per recipient: ``role,code,name,letters,replies`` (replies: supporters who told
    us they had one)."""
    row = _row(campaign_id)
    rng = _export_range()
    if isinstance(rng, Response):
        return rng
    tally.flush()
    rows = [["role", "code", "name", "letters", "replies"]]
    rows += [[r.role, r.code, r.name, r.letters, r.replied] for r in per_recipient(row, rng)]
    return csv_response(rows, f"{row.slug}-recipients-{rng.start}-to-{rng.end}.csv")


@bp.post("/campaigns/<id:campaign_id>/results/counter")
@staff_required
def counter(campaign_id: int):
    """Show (or stop showing) "N letters written so far" on the campaign page."""
    row = _row(campaign_id)
    setting = db.session.get(PublicCounter, row.id) or PublicCounter(campaign_id=row.id)
    setting.shown = request.form.get("shown") == "1"
    setting.updated_by = current_user.email
    db.session.add(setting)
    db.session.commit()
    # This worker shows it at once: a fresh count, and its kept campaign pages dropped (other
    # workers when their kept pages expire, within CACHE_CHECK_SECONDS).
    tally.forget_public_count(row.slug)
    models.campaigns_changed()
    if setting.shown:
        flash("The campaign page now shows how many letters have been written.")
    else:
        flash("The campaign page no longer shows the count.")
    return redirect(url_for("results.results", campaign_id=row.id) + "#counter")
