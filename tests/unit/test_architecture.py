"""The house's rules (docs/architecture.md), checked on every run so that a change that breaks one fails CI.

import-linter holds the contracts (pyproject.toml, ``[tool.importlinter]``): the product's stages are
layered so data flows one way, the product never imports the stand-in Zoho or the demo, the emulator
shares no code with either, and no package's modules import each other in a cycle. The checks below
add what import-linter cannot see: Streamlit pages are files, not a package.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))
SHELL_FILES = PAGES + [ROOT / "page_access.py", ROOT / "page_messages.py"]
MAX_MODULES = 15


def _imports(path: Path) -> list[str]:
    """Every module a file imports, absolute (``from a.b import c`` gives a.b and a.b.c)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_the_import_contracts_hold(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                          f"sys.exit(lint_imports(no_logo=True, cache_dir={str(tmp_path)!r}))"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout and "kept" in out.stdout


@pytest.mark.parametrize("page", SHELL_FILES, ids=lambda p: p.name)
def test_pages_reach_the_engine_only_through_the_service(page: Path) -> None:
    engine = [n for n in _imports(page) if n.split(".")[0] in ("sync_engine", "zoho_emulator", "demo")]
    if page in PAGES:
        assert engine, f"{page.name} imports nothing of the engine: the check would pass vacuously"
    stray = [n for n in engine if n not in ("sync_engine", "sync_engine.service")
             and not n.startswith("sync_engine.service.")]
    assert not stray, f"{page.name} reaches past sync_engine.service: {stray}"


@pytest.mark.parametrize("page", SHELL_FILES, ids=lambda p: p.name)
def test_pages_change_things_only_on_the_viewers_behalf(page: Path) -> None:
    """A page calls the viewer-taking form of every change (``service.*_as``), never the operator's."""
    from sync_engine import service

    operators = {name[:-3] for name in dir(service) if name.endswith("_as") and callable(getattr(service, name))}
    called = {node.attr for node in ast.walk(ast.parse(page.read_text()))
              if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "service"}
    assert not called & operators, f"{page.name} calls {sorted(called & operators)} without the viewer"


def test_the_production_path_never_loads_the_emulator_or_the_demo() -> None:
    code = ("import sys, sync_engine.cli, sync_engine.service, sync_engine.jobs.scheduler; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('zoho_emulator', 'demo')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("top", ["sync_engine", "zoho_emulator", "demo"])
def test_no_package_holds_more_than_fifteen_modules(top: str) -> None:
    for folder in [ROOT / top, *(p for p in (ROOT / top).rglob("*") if p.is_dir() and p.name != "__pycache__")]:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= MAX_MODULES, f"{folder.relative_to(ROOT)} holds {len(modules)} modules"


def test_the_engine_type_checks(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "Success" in out.stdout
