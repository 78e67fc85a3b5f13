"""Targets a thumb can hit (WCAG 2.2, 2.5.8): every control at least 24 × 24 px on a phone,
checkboxes and radios at least 32 px; a link inside a sentence is exempt, as the rule says."""

import pytest
from supporter_steps import answer_defaults
from supporter_steps import find_by_postcode
from supporter_steps import submit

# Each visible target that is too small, with why it is not exempt. A link is "in a sentence"
# when the block around it holds other words than its own.
MEASURE = """() => {
  const block = el => el.closest('p, li, td, th, dd, legend, h1, h2, h3');
  const inSentence = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const around = block(el);
    return around && around.textContent.replace(el.textContent, '').trim().length > 0;
  };
  const targets = [];
  const query = 'a[href], button, input, select, textarea, summary, label[for]';
  for (const el of document.querySelectorAll(query)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.type === 'hidden' || el.closest('.visually-hidden, .skip-link')) continue;
    const least = el.type === 'checkbox' || el.type === 'radio' ? 32 : 24;
    targets.push({el, r, small: r.width < least || r.height < least, least});
  }
  // The spacing exception: a 24 px circle centred on an undersized target touches no other
  // target, nor another undersized target's circle.
  const centre = r => [r.x + r.width / 2, r.y + r.height / 2];
  const gap = (p, r) => Math.hypot(
    Math.max(r.left - p[0], 0, p[0] - r.right), Math.max(r.top - p[1], 0, p[1] - r.bottom));
  const related = (a, b) => a.contains(b) || b.contains(a)
    || (a.tagName === 'LABEL' && a.control === b) || (b.tagName === 'LABEL' && b.control === a);
  const spaced = t => targets.every(o => o === t || related(o.el, t.el) || (
    gap(centre(t.r), o.r) >= 12
    && (!o.small || Math.hypot(...centre(t.r).map((v, i) => v - centre(o.r)[i])) >= 24)));
  const small = [];
  for (const t of targets) {
    const box = t.least === 32;  // checkboxes and radios: their size, whatever the spacing
    if (!t.small || (!box && (inSentence(t.el) || spaced(t)))) continue;
    const name = (t.el.textContent || t.el.value || t.el.name || '').trim().slice(0, 40);
    const kind = t.el.tagName.toLowerCase() + (t.el.type ? `[${t.el.type}]` : '');
    small.push(`${kind} "${name}" ${Math.round(t.r.width)}×${Math.round(t.r.height)}`);
  }
  return small;
}"""


def small_targets(page) -> list[str]:
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("step", ["campaign", "lists", "choose", "letters", "thanks", "privacy"])
def test_every_target_on_the_supporter_pages_is_big_enough(
    page, campaign_url, base_url, stub, shot, step
):
    if step == "campaign":
        page.goto(campaign_url)
    elif step == "lists":
        page.goto(campaign_url + "?manual=1")
    elif step == "privacy":
        page.goto(base_url + "/privacy")
    else:
        find_by_postcode(page, campaign_url)
        if step != "choose":
            answer_defaults(page)
            submit(page, page.get_by_role("button", name="Write my letters"))
        if step == "thanks":
            submit(page, page.get_by_role("button", name="I've sent my letters"))
    shot(page, step)
    assert small_targets(page) == []
