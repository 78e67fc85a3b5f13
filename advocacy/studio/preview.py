"""What staff see before supporters do: the preview (sample letters, nation by nation, with why
each wording was chosen) and the sharing page with its embed snippet. Routes on the studio's
blueprint (``campaign_pages.bp``); the preview runs the supporter's own pipeline.
"""

from dataclasses import dataclass
from dataclasses import replace

from flask import g
from flask import render_template
from flask import request
from flask import url_for
from markupsafe import escape

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters import delivery
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.places.pipeline import Draft
from advocacy.places.postcodes import Place
from advocacy.platform import languages
from advocacy.platform import tally
from advocacy.platform.site import THEMES
from advocacy.studio.auth import staff_required
from advocacy.studio.campaign_pages import bp
from advocacy.studio.campaign_pages import campaign_row

SAMPLE_SUPPORTERS = ("Sam Taylor", "Priya Shah")
# One sample supporter's place per nation for comparing nations: a real postcode with its
# constituency and police force area, built from the bundled codes so the preview needs no
# postcode lookup (and works when postcodes.io is down).
SAMPLE_PLACES = {
    "england": ("SE1 2DL", "E14001085", "E23000001"),  # Bermondsey and Old Southwark, the Met
    "wales": ("CF24 3AA", "W07000089", "W15000003"),  # Cardiff East, South Wales Police
    "scotland": ("AB10 1AB", "S14000061", "S23000009"),  # Aberdeen South, Police Scotland
    "northern_ireland": ("BT53 7HX", "N05000012", "N99999999"),  # North Antrim, the PSNI
}


@bp.get("/campaigns/<id:campaign_id>/preview")
@staff_required
def preview(campaign_id: int):
    """Every letter for two sample supporters, built by the supporters' own pipeline."""
    row = campaign_row(campaign_id)
    english = row.to_campaign()
    args = request.args
    # The letters in one of the campaign's languages (its Welsh, where it has some).
    language = args.get("language") if args.get("language") in english.languages else "en"
    campaign = campaign_json.in_language(english, language)
    postcode = args.get("postcode", "")[:16]
    names = [
        (args.get(f"name_{i}") or default)[:100] for i, default in enumerate(SAMPLE_SUPPORTERS)
    ]
    chosen = (
        tuple(args.getlist("points"))
        or tuple(p.id for p in campaign.talking_points if p.default_selected)
        or tuple(p.id for p in campaign.talking_points)
    )
    # One answer per question, used by both sample supporters; ``own_words`` is the first
    # question's answer in links made before every question was asked.
    given = {p.id: args.get(f"answer_{p.id}", "")[:2000] for p in campaign.prompts}
    if campaign.prompts and not given[campaign.prompts[0].id]:
        given[campaign.prompts[0].id] = args.get("own_words", "")[:2000]
    answers = tuple((pid, text) for pid, text in given.items() if text.strip())
    error = None
    samples = []
    place = None
    by_place = postcode.strip() or args.get("constituency") or args.get("pfa")
    compare = bool(args.get("compare")) or not by_place
    if not compare:
        try:
            place = pipeline.locate(postcode, args.get("constituency"), args.get("pfa"))
            choices = Choices(tuple(p for p in chosen if campaign.point(p)), answers)
            samples = [
                (name, pipeline.drafts(campaign, place, Sender(name), choices)) for name in names
            ]
        except (postcodes.PostcodeError, OutsideCoverage, UnknownArea) as exc:
            error = str(exc)
    nation_samples = _nation_samples(campaign, names[0], chosen, answers) if compare else []
    book = pipeline.directory()
    return render_template(
        "studio/preview.html",
        row=row,
        campaign=campaign,
        language=language,
        language_names=languages.NAMES,
        postcode=postcode,
        names=names,
        chosen=chosen,
        given=given,
        place=place,
        samples=samples,
        varied=_varied(samples),
        nation_samples=nation_samples,
        nation_names=campaigns.NATION_NAMES,
        error=error,
        constituencies=book.grouped_constituencies(),
        force_areas=sorted(book.force_areas.values(), key=lambda a: a.force.name),
        webmail=delivery.WEBMAIL,
    )


@dataclass(frozen=True)
class NationSample:
    """One nation's letters for the sample supporter, and what that nation's supporters lack."""

    nation: str
    place: Place | None
    points: tuple[campaigns.TalkingPoint, ...]  # the ones ticked for these letters
    drafts: tuple[Draft, ...] = ()
    missing: tuple[str, ...] = ()  # "talking points", "subject line"
    error: str | None = None
    where: str = ""  # "SE1 2DL · Bermondsey and Old Southwark · Metropolitan Police Service"


def _nation_samples(
    campaign: campaigns.Campaign,
    name: str,
    chosen: tuple[str, ...],
    answers: tuple[tuple[str, str], ...],
) -> list[NationSample]:
    """One letter set per nation the campaign serves, so staff see at once what each nation's
    supporters send, and which nation would get no points.

    What is missing is read from ``campaign.for_nation``, not from validation: a stored
    campaign saved under older rules may not validate today, and its preview must still say
    what is wrong rather than fail.
    """
    book = pipeline.directory()
    result = []
    for nation in campaign.nations:
        if nation not in SAMPLE_PLACES:
            continue
        served = campaign.for_nation(nation)
        gaps = {"talking points": served.talking_points, "subject line": served.subject_lines}
        missing = tuple(what for what, present in gaps.items() if not present)
        # The points staff ticked that this nation has; else what its supporters start with.
        ids = (
            [p for p in chosen if served.point(p)]
            or [p.id for p in served.talking_points if p.default_selected]
            or [p.id for p in served.talking_points]
        )
        points = tuple(p for p in served.talking_points if p.id in ids)
        postcode, constituency, pfa = SAMPLE_PLACES[nation]
        try:
            place = replace(book.place_for(constituency, pfa), postcode=postcode)
            drafts = pipeline.drafts(campaign, place, Sender(name), Choices(tuple(ids), answers))
        except (OutsideCoverage, UnknownArea) as exc:
            result.append(NationSample(nation, None, points, missing=missing, error=str(exc)))
            continue
        force = book.force_area(pfa).force.name
        where = " · ".join((postcode, place.constituency_name or "", force))
        result.append(NationSample(nation, place, points, tuple(drafts), missing, where=where))
    return result


def _varied(samples) -> tuple[int, int]:
    """Campaign paragraphs phrased differently for the two sample supporters, of how many."""
    if len(samples) != 2:
        return (0, 0)
    (name, first), (_, second) = samples
    # Paragraphs with the supporter's name in them differ anyway; count the wording only.
    mine = [[p for p in d.letter.stock if name not in p] for d in first]
    differ = sum(
        len(set(paragraphs) - set(d.letter.stock))
        for paragraphs, d in zip(mine, second, strict=True)
    )
    return (differ, sum(len(paragraphs) for paragraphs in mine))


def embed_snippet(
    root: str, slug: str, text: str, *, ref: str = "", theme: str = "", lang: str = ""
) -> str:
    """The HTML a partner pastes: a link to the full page that embed.js turns into the form."""
    given = (("ref", ref), ("theme", theme), ("lang", lang))
    extra = "".join(f' data-{k}="{escape(v)}"' for k, v in given if v)
    return (
        f'<a class="advocacy-embed" href="{escape(root)}/c/{escape(slug)}" '
        f'data-campaign="{escape(slug)}"{extra}>{escape(text)}</a>\n'
        f'<script async src="{escape(root)}/static/embed.js"></script>'
    )


@bp.get("/campaigns/<id:campaign_id>/share")
@staff_required
def share(campaign_id: int):
    """The link and embed snippet for partners, a live preview of the embed, and partner counts."""
    row = campaign_row(campaign_id)
    args = request.args
    ref = tally.clean_ref(args.get("ref", "").strip())
    theme = args.get("theme") if args.get("theme") in THEMES else ""
    offered = languages.offered()
    lang = args.get("lang") if args.get("lang") in offered else ""
    text = (args.get("text") or "").strip()[:100] or f"Take action: {row.title}"
    root = request.url_root.rstrip("/")
    g.frame_self = True  # the preview frames this site's own embed
    return render_template(
        "studio/share.html",
        row=row,
        ref=ref,
        ref_refused=bool(args.get("ref", "").strip()) and not ref,
        theme=theme,
        themes=THEMES,
        languages={code: languages.NAMES[code] for code in offered},
        lang=lang,
        text=text,
        link=root + url_for("public.campaign", slug=row.slug, ref=ref or None),
        snippet=embed_snippet(root, row.slug, text, ref=ref, theme=theme, lang=lang),
        # The preview leaves the label out, so staff trying it don't add to a partner's count.
        preview=embed_snippet(root, row.slug, text, theme=theme, lang=lang),
        preview_url=url_for(
            "public.embed_campaign", slug=row.slug, theme=theme or None, lang=lang or None
        ),
        totals=tally.by_ref(row.id),
    )
