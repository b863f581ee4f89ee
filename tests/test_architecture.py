"""Architecture rules: the pure core imports no I/O library and nothing of the shell."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = {
    "starlette",
    "sqlalchemy",
    "asyncio",
    "aiortc",
    "av",
    "uvicorn",
    "websockets",
    "psycopg",
    "sqlite3",
    "socket",
    "hub",
    "web",
    "time",
    "random",
    "os",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_packages_import_no_io() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN_IN_CORE)
        for package in ("events", "projections")
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_events_does_not_import_projections() -> None:
    for path in (ROOT / "events").rglob("*.py"):
        assert "projections" not in imported_roots(path), path
