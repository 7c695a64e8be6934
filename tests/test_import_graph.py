"""Who may import whom: the product never imports the lab, and the detector imports nothing but
itself (no synthetic athlete, no web framework, no hardware), so it runs the same on a Pi, in
``nhc-scale analyze`` and in a test."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import nhc_scale

PACKAGE = Path(nhc_scale.__file__).parent
ANALYSIS = PACKAGE / "analysis"


def imports_of(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, absolute, wherever in the file the import is."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts[:-1]  # a module's package; an __init__'s own package
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                yield f"{base}.{node.module}" if node.module else base
            else:
                yield node.module or ""


def offenders(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in imports_of(path)
        if name == "nhc_scale_lab" or name.startswith(forbidden)
    ]


def test_the_product_never_imports_the_lab() -> None:
    assert offenders(PACKAGE, ("nhc_scale_lab.",)) == []


def test_the_detector_imports_only_itself_among_the_packages_modules() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted(ANALYSIS.rglob("*.py"))
        for name in imports_of(path)
        if name.startswith("nhc_scale") and not name.startswith("nhc_scale.analysis")
    ]
    assert found == []


def test_the_detector_imports_no_web_framework_and_no_hardware() -> None:
    assert offenders(ANALYSIS, ("fastapi", "starlette", "uvicorn", "RPi", "lgpio")) == []


def test_the_check_sees_imports_inside_functions() -> None:
    source = PACKAGE / "analysis" / "__init__.py"
    assert "importlib" in set(imports_of(source))
