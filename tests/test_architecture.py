"""The architecture: services never import the web framework, domain packages import each other without
cycles, and no module grows past what one person reads in a sitting."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
SERVICES = APP / "services"
FORBIDDEN = {"flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "werkzeug"}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when this module loads: not those inside functions or `if TYPE_CHECKING:`."""
    found = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _unit(module: str) -> str | None:
    """The unit a service module belongs to: its domain package, a shared module, or app.db."""
    parts = module.split(".")
    if parts[:2] == ["app", "db"]:
        return "app.db"
    if parts[:2] == ["app", "services"] and len(parts) > 2:
        return ".".join(parts[:3])
    return None


def _service_files() -> list[Path]:
    return sorted([*SERVICES.rglob("*.py"), *(APP / "db").rglob("*.py")])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph, or None."""
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, trail + [nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


@pytest.mark.parametrize("path", sorted(SERVICES.rglob("*.py")), ids=lambda p: str(p.relative_to(SERVICES)))
def test_services_do_not_import_the_web_framework(path):
    assert not _imported_roots(path) & FORBIDDEN


def test_the_check_sees_services():
    assert len(list(SERVICES.rglob("*.py"))) > 5


def test_domain_packages_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    for path in _service_files():
        unit = _unit(_module_name(path))
        if unit is None:
            continue
        targets = {_unit(m) for m in _top_level_imports(path)} - {None, unit}
        graph.setdefault(unit, set()).update(targets)
    assert "app.services.points" in graph and "app.db" in graph
    assert _cycle(graph) is None, f"domain packages import in a circle: {' -> '.join(_cycle(graph))}"


def test_modules_inside_a_package_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    names = {_module_name(p) for p in _service_files()}
    for path in _service_files():
        if path.name != "__init__.py":
            graph[_module_name(path)] = {m for m in _top_level_imports(path) if m in names
                                         and not m.endswith("__init__") and m not in _packages()}
    assert _cycle(graph) is None, f"modules import in a circle: {' -> '.join(_cycle(graph))}"


def _packages() -> set[str]:
    return {_module_name(p) for p in SERVICES.rglob("__init__.py")} | {"app.db"}


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_no_module_is_longer_than_a_sitting(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_service_packages_have_their_tests_beside_each_other():
    packages = sorted(p.parent.name for p in SERVICES.glob("*/__init__.py"))
    missing = [name for name in packages if not (ROOT / "tests" / "services" / name).is_dir()]
    assert packages and not missing, f"no tests/services/<package> for {missing}"
