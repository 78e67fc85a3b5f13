"""The package's shape holds: subpackages by audience over a shared core, arrows one way.

Every import in ``advocacy/`` counts, at the top of a module or inside a function, and those
under ``TYPE_CHECKING`` too: an arrow a reader sees is an arrow. docs/architecture.md draws the
same table (``LAYERS``), and a test below keeps the two in step.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "advocacy"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 600

# What each subpackage may import, besides itself. The audiences never import one another.
LAYERS = {
    "letters": set(),
    "platform": {"letters"},
    "places": {"letters", "platform"},
    "supporters": {"letters", "places", "platform"},
    "api": {"letters", "places", "platform"},
    "studio": {"letters", "places", "platform"},
}
# The pure core works without a web framework, a database or the network.
NOT_IN_LETTERS = {"flask", "flask_babel", "flask_limiter", "flask_login", "flask_sqlalchemy"}
NOT_IN_LETTERS |= {"flask_wtf", "werkzeug", "jinja2", "sqlalchemy", "alembic", "requests"}
NOT_IN_LETTERS |= {"redis", "psycopg", "wtforms"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, known: set[str]) -> tuple[set[str], set[str]]:
    """The package's modules ``path`` imports, and the outside top-level packages it does."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside: set[str] = set()
    outside: set[str] = set()

    def add(module: str) -> None:
        while module and module not in known:  # a name imported from a module: the module
            module = module.rpartition(".")[0]
        if module:
            inside.add(module)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "advocacy":
                    add(alias.name)
                else:
                    outside.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.split(".")[0] != "advocacy":
                outside.add(module.split(".")[0])
                continue
            for alias in node.names:
                add(f"{module}.{alias.name}")
    inside.discard(name)
    return inside, outside


def graph(root: Path = PACKAGE) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each module's arrows to other modules of the package, and to outside packages."""
    paths = {module_name(p, root): p for p in root.rglob("*.py") if "migrations" not in p.parts}
    known = set(paths)
    arrows, outside = {}, {}
    for name, path in paths.items():
        arrows[name], outside[name] = imports_of(path, name, known)
    return arrows, outside


def circles(arrows: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(arrows.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(arrows):
        if node not in index:
            visit(node)
    return found


def subpackage(module: str) -> str | None:
    """``advocacy.letters.compose`` -> "letters"; the root package and its factory -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def wrong_arrows(arrows: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(arrows.items()):
        here = subpackage(module)
        for target in sorted(targets):
            there = subpackage(target)
            if here is None or there == here:
                continue  # the app factory wires everything together
            if there is None:
                out.append(f"{module} -> {target} (the root package is the app factory)")
            elif there not in LAYERS.get(here, set()):
                out.append(f"{module} -> {target} ({here} may not import {there})")
    return out


def test_every_module_is_in_a_subpackage():
    arrows, _ = graph()
    loose = [m for m in arrows if m != "advocacy" and subpackage(m) is None]
    assert loose == []
    assert {subpackage(m) for m in arrows} - {None} == set(LAYERS)


def test_no_circle_anywhere():
    arrows, _ = graph()
    assert circles(arrows) == []


def test_arrows_run_one_way():
    arrows, _ = graph()
    assert wrong_arrows(arrows) == []


def test_letters_is_pure():
    _, outside = graph()
    used = {m: sorted(o & NOT_IN_LETTERS) for m, o in outside.items() if subpackage(m) == "letters"}
    assert {m: o for m, o in used.items() if o} == {}


def test_no_module_is_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_architecture_document_draws_these_layers():
    """docs/architecture.md's table of what each subpackage may import is ``LAYERS``."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    drawn = {}
    for name, allowed in re.findall(r"^\| `(\w+)/` \| ([^|]*) \|", text, re.MULTILINE):
        drawn[name] = set(re.findall(r"`(\w+)/`", allowed))
    assert drawn == LAYERS


# The checks themselves, on a package made to break each rule: they can fail.


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "advocacy"
    files = {
        "__init__.py": "",
        "letters/__init__.py": "",
        "letters/compose.py": "import flask\nfrom advocacy.places.directory import Directory\n",
        "places/__init__.py": "",
        "places/directory.py": "from . import roles\n",
        "places/roles.py": "def f():\n    from advocacy.places.directory import Directory\n",
        "supporters/__init__.py": "",
        "supporters/pages.py": "from advocacy.studio import results\n",
        "studio/__init__.py": "",
        "studio/results.py": "from advocacy import create_app\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_checks_find_what_is_wrong(broken: Path):
    arrows, outside = graph(broken)
    assert circles(arrows) == [["advocacy.places.directory", "advocacy.places.roles"]]
    assert wrong_arrows(arrows) == [
        "advocacy.letters.compose -> advocacy.places.directory (letters may not import places)",
        "advocacy.studio.results -> advocacy (the root package is the app factory)",
        "advocacy.supporters.pages -> advocacy.studio.results (supporters may not import studio)",
    ]
    assert "flask" in outside["advocacy.letters.compose"]
