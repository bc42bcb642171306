"""The shape of the code, checked: which room may import what, and no import circles.

These read the source (no code is run), so they hold for code paths no other test reaches.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "geo"

#: No module of geo/ should grow past this many lines (DESIGN.md: find the room from its name).
MAX_LINES = 650


def _modules(folder: Path) -> dict[str, Path]:
    """Dotted module name -> path, for every .py file under ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(path: Path, module: str, *, types: bool = True) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, resolved to full names.

    ``types=False`` leaves out ``if TYPE_CHECKING:`` blocks (imports for annotations only).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not types:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                source = f"{prefix}.{node.module}" if node.module else prefix
            else:
                source = node.module or ""
            names.add(source)
            # "from geo.privacy import suppression" imports the module geo.privacy.suppression
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _geo_graph() -> dict[str, set[str]]:
    modules = _modules(GEO)
    return {
        name: {other for other in _imports(path, name) if other in modules and other != name}
        for name, path in modules.items()
    }


@pytest.mark.parametrize(
    ("folder", "banned"),
    [("geo", ("streamlit", "folium", "branca", "streamlit_folium")), ("layers", ("streamlit",))],
)
def test_logic_rooms_import_no_ui(folder, banned):
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for module, path in _modules(ROOT / folder).items()
        for name in _imports(path, module)
        if name.split(".")[0] in banned
    ]
    assert offenders == []


def test_geo_has_no_import_circle():
    graph = _geo_graph()
    # a package importing its own modules (to re-export them) is not a circle through it
    for name in graph:
        graph[name] = {other for other in graph[name] if not other.startswith(name + ".")}
    state: dict[str, int] = {}
    path: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                circles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert circles == []


def test_the_circle_finder_finds_a_circle(tmp_path):
    # the check above must be able to fail: two modules importing each other
    (tmp_path / "a.py").write_text("from b import x\n")
    (tmp_path / "b.py").write_text("import a\n")
    assert "b" in _imports(tmp_path / "a.py", "a")
    assert "a" in _imports(tmp_path / "b.py", "b")


def test_no_geo_module_is_too_long():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules(GEO).values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _calls(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == attribute
    ]


@pytest.mark.parametrize("attribute", ["_read", "records_for_figures"])
def test_exact_records_leave_the_store_only_through_questions(attribute):
    """Only the store itself and geo/questions/ may read unfiltered records."""
    offenders = []
    for folder in ("geo", "layers", "ui", "app_pages", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if {GEO / "store", GEO / "questions"} & set(path.parents):
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _calls(path, attribute)]
    assert offenders == []


#: Rooms of geo/ that reading and writing files (geo/io/) stands below.
ABOVE_IO = (
    "geo.locate",
    "geo.store",
    "geo.importing",
    "geo.analysis",
    "geo.privacy",
    "geo.questions",
)


def test_reading_and_writing_files_stands_below_the_rest():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for module, path in _modules(GEO / "io").items()
        for name in _imports(path, module, types=False)
        if name.startswith(ABOVE_IO)
    ]
    assert offenders == []
