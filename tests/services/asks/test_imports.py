"""Code outside the asks package calls its verbs through `app.services.asks`, not through its inner
modules (that no package imports another in a circle is tests/test_architecture.py's)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "app.services.asks"
INNER = {p.stem for p in (ROOT / "app" / "services" / "asks").glob("*.py")} - {"__init__"}


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module or module.name the file imports (absolute imports only, as the project writes them)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_code_outside_the_package_imports_only_the_package():
    files = [*(ROOT / "app").rglob("*.py"), *(ROOT / "seeds").rglob("*.py")]
    outside = [path for path in files if not _name(path).startswith(PACKAGE)]
    assert any(PACKAGE in _imports(path) for path in outside)
    for path in outside:
        inner = {f"{PACKAGE}.{module}" for module in INNER} & _imports(path)
        assert not inner, f"{path.relative_to(ROOT)} imports {sorted(inner)}, not the package"
