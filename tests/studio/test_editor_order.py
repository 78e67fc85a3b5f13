"""The editor lists nations in one order everywhere: England, Wales, Scotland, Northern Ireland."""

import re

ORDER = ["england", "wales", "scotland", "northern_ireland"]


def test_nation_checkboxes_keep_one_order_in_every_list(admin) -> None:
    """The example has points for Scotland or Northern Ireland only: their boxes used to come
    first in those points' lists, so the order changed from point to point."""
    html = admin.get("/admin/campaigns/1").get_data(as_text=True)
    lists = [
        re.findall(r'type="checkbox" id="[^"]+" name="[^"]*nations" value="(\w+)"', block)
        for block in re.findall(r"<fieldset.*?</fieldset>", html, re.S)
    ]
    lists = [found for found in lists if found]
    assert len(lists) > 10  # the campaign's, each point's, each fixed recipient's
    assert all(found == ORDER for found in lists), [f for f in lists if f != ORDER][:3]
