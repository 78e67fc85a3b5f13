"""The README is a front door and the manuals stay true to the code they describe."""

import re
from pathlib import Path

import pytest

from advocacy.platform import config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MANUALS = sorted((ROOT / "docs").glob("*.md"))
# Read from the environment only, by create_app (not in config.DEFAULTS).
ENVIRONMENT_ONLY = {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "INSTANCE_PATH"}
LINK = re.compile(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"|href=\"([^\"]+)\"")


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md is {len(lines)} lines"
    first = "\n".join(lines[:12])
    assert "    bash scripts/start" in first and "    bash scripts/test" in first


@pytest.mark.parametrize("page", [README, *MANUALS], ids=lambda p: p.name)
def test_every_relative_link_points_to_a_file(page: Path) -> None:
    missing = []
    for match in LINK.finditer(page.read_text(encoding="utf-8")):
        target = next(g for g in match.groups() if g)
        if re.match(r"[a-z]+:|#|/", target):  # another site, an anchor, a path on the app
            continue
        if not (page.parent / target.split("#")[0]).exists():
            missing.append(target)
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_manuals_are_the_ones_the_readme_maps() -> None:
    text = README.read_text(encoding="utf-8")
    for name in ("deploy", "studio", "api", "configuration", "architecture"):
        assert f"(docs/{name}.md)" in text, name


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`ADVOCACY_([A-Z0-9_]+)`", doc))
    fixed = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", doc, re.MULTILINE))
    fixed = {name for name in fixed if not name.startswith("ADVOCACY_")}
    settings = set(config.DEFAULTS) | ENVIRONMENT_ONLY
    assert not settings - documented - fixed, "undocumented settings"
    assert not (documented | fixed) - settings, "documented settings that don't exist"
