"""Publishing is a button: Publish, Unpublish, Close, Reopen, each a save that sets the status."""

import re

from test_studio import create
from test_studio import minimal
from test_studio import post
from test_studio import stored


def editor(admin, campaign_id: int) -> str:
    return admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)


def buttons(html: str) -> list[tuple[str, str]]:
    """The status buttons beside the status."""
    block = re.search(r'<div class="field[^"]*" id="f-status">.*?</div>', html, re.S)[0]
    return re.findall(r'value="(\w+)"[^>]*>([^<]+)</button>', block)


def test_a_draft_is_published_unpublished_closed_and_reopened(app, admin) -> None:
    campaign_id = create(admin)  # a draft
    assert ("publish", "Publish") in buttons(editor(admin, campaign_id))
    assert 'type="radio"' not in editor(admin, campaign_id)  # no status radio any more
    steps = [("publish", "live", 2), ("close", "closed", 3), ("publish", "live", 4)]
    steps += [("unpublish", "draft", 5)]
    for op, status, version in steps:
        doc = minimal(status=stored(app, campaign_id).status)
        response = post(
            admin, f"/admin/campaigns/{campaign_id}", doc, version=str(version - 1), op=op
        )
        assert response.status_code == 302, (op, response.status_code)
        assert stored(app, campaign_id).status == status
        html = editor(admin, campaign_id)
        assert "Saved as version" in html
    live = minimal(status="draft")
    post(admin, f"/admin/campaigns/{campaign_id}", live, version="5", op="publish")
    assert [v for v, _ in buttons(editor(admin, campaign_id))] == ["unpublish", "close"]


def test_an_incomplete_campaign_is_not_published_and_still_shows_as_a_draft(app, admin) -> None:
    campaign_id = create(admin)
    doc = minimal(status="draft", talking_points=[])  # a live campaign needs points
    response = post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1", op="publish")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<input type="hidden" name="status" value="draft">' in html
    assert stored(app, campaign_id).status == "draft"
