"""Readable history: word-level differences per part, talking points matched by id (a reorder
reads as a move), and edit conflicts that say when the other save was your own."""

import re

from test_studio import create
from test_studio import minimal
from test_studio import post

from advocacy.letters import history
from advocacy.platform import store
from advocacy.platform.schema import example_campaign


def point(pid: str, label: str, *phrasings: str) -> dict:
    return {"id": pid, "label": label, "phrasings": list(phrasings or ["Text."])}


def test_a_diff_is_word_by_word():
    pieces = history.words("Cameras scan every face.", "Cameras scan every passing face.")
    assert pieces == (
        ("same", "Cameras scan every "),
        ("added", "passing "),
        ("same", "face."),
    )
    assert history.words("one two", "one") == (("same", "one"), ("removed", " two"))


def rebuilt(pieces) -> tuple[str, str]:
    old = "".join(text for kind, text in pieces if kind != "added")
    new = "".join(text for kind, text in pieces if kind != "removed")
    return old, new


def test_a_long_rewrite_reads_as_old_text_removed_and_new_added():
    """Word by word, SequenceMatcher took seconds on two rewritten 4,000-character fields (and
    the version page compares twice); beyond MAX_DIFF_PAIRS a rewrite is shown whole."""
    old = ("a " * 2000).strip()
    new = ("b a " * 1000).strip() + "!"
    assert len(old) > 3900 and len(new) > 3900
    assert history.words(old, new) == (("removed", old), ("added", new))
    assert history.words("Intro. " + old, "Intro. " + new)[0] == ("same", "Intro. ")


def test_a_small_edit_in_a_long_text_is_still_word_by_word():
    text = " ".join(f"word{i}" for i in range(800))
    edited = text.replace("word400 ", "word400 really ")
    pieces = history.words(text, edited)
    assert [kind for kind, _ in pieces] == ["same", "added", "same"]
    assert pieces[1] == ("added", "really ")
    assert rebuilt(pieces) == (text, edited)


def test_the_pieces_always_rebuild_both_texts():
    samples = ["", "one", "one two", "Often wrong.", "Often wrong for women.", " lead", "x  y\n"]
    samples += ["café au lait", "cat car", "a. b. c.", "a " * 300, "a b " * 150]
    for old in samples:
        for new in samples:
            pieces = history.words(old, new)
            assert rebuilt(pieces) == (old, new), (old, new)
            assert all(text for _, text in pieces)


def test_only_the_parts_that_differ_are_listed_in_the_editors_words():
    old = example_campaign().to_dict()
    new = {**old, "closing": old["closing"] + " Thank you.", "targets": ["mp"]}
    changes = history.compare(old, new)
    assert [c.part for c in changes] == ["Who to write to", "Closing"]
    assert changes[1].pieces[-1] == ("added", " Thank you.")


def test_a_reordered_point_reads_as_a_move_not_a_new_block():
    old = [point("what", "What it is"), point("acc", "Accuracy"), point("law", "No law")]
    new = [point("acc", "Accuracy"), point("what", "What it is"), point("law", "No law")]
    changes = history.point_changes(old, new)
    assert [c.notes for c in changes] == [("Moved point “Accuracy” from 2 to 1",)]
    assert changes[0].pieces == ()  # its words did not change
    assert store.describe({"talking_points": old}, {"talking_points": new}) == [
        "Moved point “Accuracy” from 2 to 1"
    ]


def test_one_point_moved_far_is_one_move():
    ids = ["a", "b", "c", "d"]
    old = [point(i, i.upper()) for i in ids]
    new = [old[3], *old[:3]]
    assert history.moves(old, new) == [("d", "Moved point “D” from 4 to 1")]


def test_added_removed_and_edited_points():
    old = [point("acc", "Accuracy", "Often wrong."), point("gone", "Gone", "Old point.")]
    new = [point("acc", "Accuracy", "Often wrong for women."), point("new", "Cost", "Costly.")]
    changes = {c.part: c for c in history.point_changes(old, new)}
    assert changes["Talking point “Cost”"].notes == ("Added point “Cost” at 2",)
    assert changes["Talking point “Gone”"].notes == ("Removed point “Gone”",)
    edited = changes["Talking point “Accuracy”"]
    assert edited.notes == ()
    assert ("added", " for women") in edited.pieces
    assert ("same", "Phrasings: ") in edited.pieces


def test_a_summary_is_compared_as_markdown_even_from_html():
    old = {"summary_html": "<p>Cameras are <em>everywhere</em>.</p>"}
    same_words = {"summary": "Cameras are *everywhere*.", "summary_html": "whatever"}
    assert history.compare(old, same_words) == []
    assert store.describe(old, same_words) == ["Wrote the summary in Markdown"]
    changed = {"summary": "Cameras are *nearly* everywhere."}
    old_words = same_words["summary"]
    (change,) = history.compare(old, changed)
    assert change.part == "Summary"
    assert "".join(t for kind, t in change.pieces if kind != "added") == old_words
    assert "".join(t for kind, t in change.pieces if kind != "removed") == changed["summary"]
    assert "nearly" in "".join(t for kind, t in change.pieces if kind == "added")


# --- The version page and the conflict page ---------------------------------------------------


def test_the_version_page_shows_what_changed_as_words(app, admin):
    campaign_id = create(admin, status="live", opening="I live in {constituency}.")
    doc = minimal(status="live", opening="I have lived in {constituency} for years.")
    doc["talking_points"] = list(reversed(doc["talking_points"]))
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    html = admin.get(f"/admin/campaigns/{campaign_id}/revisions/2").get_data(as_text=True)
    assert "What changed in version 2" in html
    assert re.search(r"<dt>Opening</dt>", html)
    removed = '<del><span class="visually-hidden">[removed: </span>live'
    added = '<ins><span class="visually-hidden">[added: </span>have lived'
    assert removed in html and added in html
    assert "Moved point “Second” from 2 to 1" in html
    assert "Added point" not in html and "Removed point" not in html
    first = admin.get(f"/admin/campaigns/{campaign_id}/revisions/1").get_data(as_text=True)
    assert "What changed in version 1" not in first  # it was created; nothing to compare
    assert "From version 1 to the current version 2" in first


def test_a_conflict_with_your_own_other_tab_says_so(app, admin):
    campaign_id = create(admin)
    # The same person has the campaign open in two tabs; the first tab saves.
    assert post(admin, f"/admin/campaigns/{campaign_id}", minimal(title="Tab one"), version="1")
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(title="Tab two"), version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "You saved this campaign in another tab" in html
    assert "You, in another tab, saved version 2" in html
    assert "Someone else" not in html and "admin@example.org saved" not in html
    assert "What the other tab changed since this tab opened the campaign" in html
    assert "What saving this tab would change in version 2" in html


def test_a_conflict_with_someone_else_names_them(app, admin, editor):
    campaign_id = create(admin)
    assert post(editor, f"/admin/campaigns/{campaign_id}", minimal(title="Theirs"), version="1")
    html = post(admin, f"/admin/campaigns/{campaign_id}", minimal(title="Mine"), version="1")
    html = html.get_data(as_text=True)
    assert "Someone else saved this campaign" in html
    assert "editor@example.org saved version 2" in html
    assert "another tab" not in html


def words_in(html: str, heading: str) -> str:
    """The changes listed under a heading of the conflict page."""
    return html.split(heading, 1)[1].split("</dl>", 1)[0]


def test_a_conflict_shows_the_other_saves_changes_word_by_word(app, admin, editor):
    campaign_id = create(admin)
    theirs = minimal(title="Test campaign", opening="I have lived in {constituency} for years.")
    theirs["talking_points"] = list(reversed(theirs["talking_points"]))
    assert post(editor, f"/admin/campaigns/{campaign_id}", theirs, version="1")
    mine = minimal(title="My test campaign")
    response = post(admin, f"/admin/campaigns/{campaign_id}", mine, version="1")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    # What they changed since version 1, which this edit began from: not the title.
    changed = words_in(html, "What they changed since you opened the campaign")
    assert "<dt>Opening</dt>" in changed and "<dt>Title</dt>" not in changed
    assert '<del><span class="visually-hidden">[removed: </span>live' in changed
    assert '<ins><span class="visually-hidden">[added: </span>have lived' in changed
    assert "Moved point “Second” from 2 to 1" in changed
    assert "<pre>{" not in html  # no raw documents
    # What pressing Save now would do to their version 2: undo their edits, add mine.
    mine_over = words_in(html, "What saving yours would change in version 2")
    assert "<dt>Title</dt>" in mine_over and "<dt>Opening</dt>" in mine_over
    assert '<ins><span class="visually-hidden">[added: </span>My ' in mine_over
    assert "Moved point “First” from 2 to 1" in mine_over


def test_items_and_nations_text_read_as_lines_not_json():
    old = {"fixed_recipients": [{"name": "Home Secretary", "email": "hs@example.org"}]}
    new = {"fixed_recipients": [{"name": "Home Secretary", "email": "home@example.org"}]}
    (change,) = history.compare(old, new)
    assert change.part == "Fixed recipients"
    assert "".join(t for kind, t in change.pieces if kind != "added") == (
        "name: Home Secretary\nemail: hs@example.org"
    )
    # A nation's own text, from an old revision, reads as the alternative it became.
    variants = {"variants": {"scotland": {"opening": "I live in Scotland."}}}
    (change,) = history.compare({}, variants)
    assert change.part == "Opening"
    assert change.pieces == (("added", "I live in Scotland. (Only for supporters in Scotland)"),)


def test_asks_and_recipients_are_named_in_words_not_keys():
    old = {"targets": ["mp"], "asks": {"mp": "Please act."}}
    new = {"targets": ["mp", "police_force"], "asks": {"mp": "Please act now."}}
    changes = {c.part: c for c in history.compare(old, new)}
    targets = "".join(t for _, t in changes["Who to write to"].pieces)
    asks = "".join(t for _, t in changes["Asks"].pieces)
    assert "The MP" in targets and "The police force" in targets and "mp" not in targets
    assert asks.startswith("Ask to the MP: Please act") and "mp:" not in asks


def test_the_whole_version_is_folded_away(app, admin):
    campaign_id = create(admin, status="live")
    html = admin.get(f"/admin/campaigns/{campaign_id}/revisions/1").get_data(as_text=True)
    folded = re.search(r"<details class=\"whole-version\">\s*<summary>([^<]+)</summary>", html)
    assert folded and "JSON" in folded[1]
    assert html.index('<pre class="document">') > folded.start()
