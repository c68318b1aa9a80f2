"""The layers are enforced (issue 15 item 4): `lint-imports` (run by `make lint`) holds the contracts in
pyproject.toml, and fails when a module crosses a layer.

Each test copies the code (grading/, registry/ and pyproject.toml) to a temporary directory, adds one
forbidden import there, and runs `lint-imports` on the copy: the repository itself is never touched.
"""
from __future__ import annotations

import ast
import shutil
import subprocess  # nosec B404
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_tree(tmp_path: Path) -> Path:
    for package in ("grading", "registry"):
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "translations", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return _copy_tree(tmp_path_factory.mktemp("layers"))


def test_the_contracts_hold_on_todays_code(tree):
    """The unmodified copy passes: every contract is kept (the known exceptions are listed in ignore_imports)."""
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    # grading is the pure engine: no registry, no Flask, no SQLAlchemy.
    ("grading/engine.py", "import registry  # noqa", "grading/ is independent of registry/"),
    ("grading/rules/base.py", "import sqlalchemy  # noqa", "grading/ is independent of registry/"),
    # registry.core is the ground floor: it imports no domain.
    ("registry/core/pagination.py", "import registry.enterprises.queries  # noqa", "registry.core is independent"),
    # The domains sit below the audit readers (registry/audit reads every domain, not the other way round).
    ("registry/enterprises/queries.py", "import registry.audit.search  # noqa", "registry: the audit readers"),
    # A domain's views are the application factory's business, not another domain's.
    ("registry/grades/operations.py", "import registry.enterprises.views  # noqa", "views, API and CLI"),
    # No cycle inside a package (issue 15 item 3: schedules operations ↔ runner was one).
    ("registry/schedules/operations.py", "import registry.schedules.runner  # noqa", "No import cycle between the modules"),
    # Only registry.policy reaches into the engine beyond its vocabulary.
    ("registry/accounts/operations.py", "import grading.engine  # noqa", "Only registry.policy imports the engine"),
])
def test_a_forbidden_import_fails_lint_imports(tmp_path, module, line, contract):
    """Issue 15 "done when": `make lint` fails on a forbidden import — shown here for each kind of contract."""
    where = _copy_tree(tmp_path)
    _append(where / module, line)
    result = _lint(where)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "registry" else parts[0]


def test_no_package_imports_another_packages_private_names():
    """Issue 15 item 3: nothing imports another package's private names (grades/export.py and
    schedules/export.py took `_header`, `_Styles`, `_write_body`, `_cell` from exchange/workbook.py; workbook.py
    now has a public API). Import contracts see modules, not names: this test sees the names."""
    offenders = []
    for path in sorted([*(ROOT / "registry").rglob("*.py"), *(ROOT / "grading").rglob("*.py")]):
        if "static" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    and node.module.split(".")[0] in ("registry", "grading")):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and _package(node.module) != _package(module):
                    offenders.append(f"{module}: from {node.module} import {alias.name}")
    assert offenders == []
