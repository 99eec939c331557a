"""The layering rule: the service layer never imports the web framework."""

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "app" / "services"
FORBIDDEN = {"flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "werkzeug"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(SERVICES.rglob("*.py")), ids=lambda p: p.name)
def test_services_do_not_import_the_web_framework(path):
    assert not _imported_roots(path) & FORBIDDEN


def test_the_check_sees_services():
    assert len(list(SERVICES.rglob("*.py"))) > 5
