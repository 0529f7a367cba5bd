"""docs/architecture.md names its hops by file and function: every one of them must exist.

A file named in backticks (``live/services/chat.py``, ``services/chat_writer.py``,
``live-chat.js``) must be in the tree; a ``Class.method`` (``Chat.submit``) must be a method, or
attribute, of that class in ``live/`` or ``media/``; a ``module.function`` written with its
folder (``storage/places.compound_names``) must be defined in that module. Renaming a function
without redrawing the map fails here."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SEARCH = (ROOT, ROOT / "live", ROOT / "web" / "static" / "js", ROOT / "media")
CODE = re.compile(r"`([^`\n]+)`")
MODULE_FUNCTION = re.compile(r"^((?:live/|media/|web/static/js/)?(?:[\w-]+/)*[\w-]+)\.([a-z_]\w*)$")


def spans() -> list[str]:
    return CODE.findall(DOC)


def find_file(name: str) -> Path | None:
    """``name`` from the root or a top folder, or a bare file name found in one of live's
    packages (``chat_rules.py`` in the sentence about the chat services)."""
    for base in SEARCH:
        if (base / name).is_file():
            return base / name
    if "/" not in name:
        return next((ROOT / "live").rglob(name), None)
    return None


@cache
def classes() -> dict[str, set[str]]:
    """Every class of live/ and media/ with the names defined in its body (methods, fields)."""
    found: dict[str, set[str]] = {}
    for path in [*(ROOT / "live").rglob("*.py"), *(ROOT / "media").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = found.setdefault(node.name, set())
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        names.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        names.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return found


def defines(path: Path, name: str) -> bool:
    if path.suffix == ".js":
        return (
            re.search(rf"\b(function\s+{name}\b|{name}\s*[=(:])", path.read_text(encoding="utf-8"))
            is not None
        )
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return True
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
    return False


def test_every_named_file_exists() -> None:
    named = {m.group(1) for s in spans() for m in re.finditer(r"([\w./-]+\.(?:py|js|mjs|sh))\b", s)}
    assert len(named) > 20, "the map names too few files to be a map"
    missing = sorted(n for n in named if find_file(n) is None)
    assert missing == [], f"docs/architecture.md names files that are not there: {missing}"


def test_every_named_method_exists() -> None:
    table = classes()
    checked, missing = 0, []
    for span in spans():
        for cls, attr in re.findall(r"^([A-Z]\w+)\.([a-z_]\w*)(?:\(|$)", span.split(" ")[0]):
            if cls in table:
                checked += 1
                if attr not in table[cls]:
                    missing.append(f"{cls}.{attr}")
    assert checked > 15, "the map names too few methods to be a map"
    assert missing == [], f"docs/architecture.md names methods that are not there: {missing}"


def test_every_named_module_function_exists() -> None:
    checked, missing = 0, []
    for span in spans():
        match = re.match(
            r"^((?:live/|media/|web/static/js/)?(?:[\w-]+/)*[\w-]+)\.([a-z_]\w*)$", span.split(" ")[0]
        )
        if not match or "/" not in match.group(1):
            continue
        module, name = match.groups()
        if name in ("py", "js", "mjs", "md", "sh"):
            continue
        path = find_file(module + ".py") or find_file(module + ".js")
        if path is None:
            continue
        checked += 1
        if not defines(path, name):
            missing.append(f"{module}.{name}")
    assert checked > 5, "the map names too few module functions to be a map"
    assert missing == [], f"docs/architecture.md names functions that are not there: {missing}"


def test_not_there_yet_names_what_is_left() -> None:
    """The section "Not there yet" names every service module the architecture test still lets
    write through the transaction (or import SQLAlchemy), and none it no longer does."""
    from tests.test_architecture import NOT_YET_MOVED, WRITES_LEFT

    section = DOC.split("## Not there yet", 1)[1]
    left = {name.removeprefix("live/") for name in (*WRITES_LEFT, *NOT_YET_MOVED)}
    named = set(re.findall(r"`(services/\w+\.py)`", section))
    assert sorted(left - named) == [], "docs/architecture.md: say what is left under 'Not there yet'"
    assert sorted(named - left) == [], "docs/architecture.md names as left what the test no longer allows"
