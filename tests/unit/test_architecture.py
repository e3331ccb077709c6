"""Imports point inwards (STYLE.md, "The shape"): checked here, not by memory."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FRAMEWORKS = frozenset(
    {
        "slack_bolt",
        "slack_sdk",
        "aiohttp",
        "sqlalchemy",
        "alembic",
        "apscheduler",
        "asyncpg",
        "aiosqlite",
    }
)
OUTER_LAYERS = frozenset({"bot", "handlers", "storage", "schedulers"})

# package -> import roots its modules must not use
FORBIDDEN: dict[str, frozenset[str]] = {
    "domain": FRAMEWORKS | OUTER_LAYERS,
    "storage": frozenset({"bot", "handlers", "schedulers"}),
    "handlers": frozenset({"storage", "schedulers"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_targets(source: str, *, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """Yield (line, absolute module name) for every import statement, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                yield node.lineno, ".".join([*parts, node.module] if node.module else parts)
            else:
                yield node.lineno, node.module or ""


def _violations(package: str, forbidden: frozenset[str]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        module = _module_name(path)
        targets = _import_targets(source, module=module, is_package=path.name == "__init__.py")
        for line, target in targets:
            if target.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_inwards(package: str) -> None:
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package}/ does not exist yet")
    violations = _violations(package, FORBIDDEN[package])
    assert not violations, (
        f"{package}/ must not import any of {sorted(FORBIDDEN[package])}:\n" + "\n".join(violations)
    )


def test_checker_resolves_relative_imports() -> None:
    # guards the checker itself: a relative import resolves inside its own top-level package
    source = (
        "import sqlalchemy.orm\nfrom ..storage import repo\nfrom . import views\nfrom .. import x\n"
    )
    targets = [
        t for _, t in _import_targets(source, module="handlers.quotes.approve", is_package=False)
    ]
    assert targets == ["sqlalchemy.orm", "handlers.storage", "handlers.quotes", "handlers"]
    assert _module_name(ROOT / "domain" / "__init__.py") == "domain"


def test_importing_domain_loads_no_framework_or_outer_layer() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import domain\n"
        "for info in pkgutil.walk_packages(domain.__path__, 'domain.'):\n"
        "    importlib.import_module(info.name)\n"
        f"bad = {sorted(FRAMEWORKS | OUTER_LAYERS)!r}\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in bad)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert not loaded, f"importing domain (and its submodules) loaded: {loaded}"
