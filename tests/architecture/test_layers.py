"""The layer order (README, "Architecture"), checked on the source: every import of every project module,
including imports inside function bodies, must point to the same layer or one below.

    reports                      (4)
    mentoring, activities        (3)  — neither imports the other
    children                     (2)  the archive: child and family
    guardians                    (1)  administrative divisions the archive refers to
    caretrack                    (0)  organisation core: schools, classes, terms, staff, roles, audit

The project's wiring (settings, root URLconf, WSGI) sits above every layer. Migrations are Django's
history and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"caretrack": 0, "guardians": 1, "children": 2, "mentoring": 3, "activities": 3, "reports": 4}
WIRING = {"caretrack.settings", "caretrack.urls", "caretrack.wsgi", "caretrack.asgi"}


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement anywhere in the file."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def layer_violations() -> list[str]:
    violations = []
    for module, path in sorted(project_modules().items()):
        if module in WIRING:
            continue
        app = module.split(".")[0]
        for line, target in imports_of(module, path):
            other = target.split(".")[0]
            if other not in LAYERS or other == app:
                continue
            if LAYERS[other] >= LAYERS[app]:
                violations.append(f"{path.relative_to(ROOT)}:{line} {app} (layer {LAYERS[app]}) imports {target}")
    return violations


def test_no_import_runs_against_the_layer_order():
    assert layer_violations() == []


def test_no_registry_names_modules_as_strings():
    """Contributions from above are registered in AppConfig.ready() as objects, not dotted paths."""
    offenders = []
    for module, path in project_modules().items():
        if module in WIRING:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("import_string(", "import_module(", "__import__("):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


def test_no_fallback_for_a_missing_app():
    """No `except ImportError` that turns a broken import into an empty figure, and no `except
    NoReverseMatch` that hides a link to a page of another app."""
    offenders = []
    for path in project_modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = [n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)]
                if {"ImportError", "ModuleNotFoundError", "NoReverseMatch"} & set(names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from mentoring.models import Pairing\n", ["children (layer 2) imports mentoring.models"]),
        ("def f():\n    from reports import selectors\n", ["children (layer 2) imports reports"]),
        ("from guardians.models import Region\n", []),
    ],
)
def test_the_check_sees_imports_at_module_level_and_inside_functions(tmp_path, monkeypatch, source, expected):
    """The checker itself: a planted up-import, even inside a function, is reported; a down-import is not."""
    package = tmp_path / "children"
    package.mkdir()
    (package / "planted.py").write_text(source, encoding="utf-8")
    for app in LAYERS:
        if app != "children":
            (tmp_path / app).mkdir()
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    found = layer_violations()
    assert len(found) == len(expected)
    for line, text in zip(found, expected, strict=True):
        assert text in line
