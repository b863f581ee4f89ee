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


# The layers, innermost first: a module may import its own layer and those before it, never one
# after it (events ← projections ← hub ← web).
LAYERS = ("events", "projections", "hub", "web")
SHIPPED = LAYERS
NOT_SHIPPED = {"tests", "bench"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too), by its full name; a
    `from package import name` counts as importing `package.name` as well."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def files_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_layer_imports_a_later_one() -> None:
    offenders = {}
    for i, layer in enumerate(LAYERS):
        later = LAYERS[i + 1 :]
        for path in files_of(layer):
            upward = sorted(m for m in imported_modules(path) if any(within(m, up) for up in later))
            if upward:
                offenders[str(path.relative_to(ROOT))] = upward
    assert offenders == {}


def test_the_media_engine_imports_nothing_of_the_application() -> None:
    """hub/media reaches the rest of the hub only through its ports (hub/media/ports.py)."""
    application = ("events", "projections", "web")
    offenders = {}
    for path in files_of("hub/media"):
        found = sorted(
            m
            for m in imported_modules(path)
            if any(within(m, app) for app in application)
            or (within(m, "hub") and not within(m, "hub.media"))
        )
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_no_shipped_module_imports_tests_or_benches() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & NOT_SHIPPED)
        for package in SHIPPED
        for path in files_of(package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rules_see_the_modules_they_judge() -> None:
    """A rule over an empty or misnamed folder would pass without judging anything."""
    for package in (*LAYERS, "hub/media", "hub/live"):
        assert len(files_of(package)) > 3, package
    assert "web.app" in imported_modules(ROOT / "web" / "server.py")
