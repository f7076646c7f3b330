"""The code keeps its layers: renderers only format the model; modules stay readable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "klyngerapport"
RENDERERS = sorted((PACKAGE / "render").rglob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", RENDERERS, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_renderers_import_no_checks_validation_or_reading(path: Path) -> None:
    """A renderer formats the follow-up model; it never re-reads, re-checks or re-counts."""
    forbidden = ("klyngerapport.checks", "klyngerapport.validation", "klyngerapport.reading")
    assert not {m for m in imported(path) if m.startswith(forbidden)}


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_no_module_grows_past_about_500_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def test_the_report_writer_uses_no_private_openpyxl_attribute() -> None:
    """Only openpyxl's public API, so it can be upgraded within its major version."""
    for path in (PACKAGE / "render").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private = [
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id == "self")  # our own
        ]
        assert not private, (path.name, private)
