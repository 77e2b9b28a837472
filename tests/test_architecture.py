"""The library stays pure: no module under pipeline/ imports Prefect, the CLI or the flows."""

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
FORBIDDEN = ("prefect", "flows", "typer", "argparse")


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted(PIPELINE.rglob("*.py")), ids=lambda p: str(p.relative_to(PIPELINE)))
def test_pipeline_module_imports_no_orchestration(module):
    assert not imported_roots(module) & set(FORBIDDEN)


def test_library_does_not_print():
    offenders = [
        str(path.relative_to(PIPELINE))
        for path in PIPELINE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    ]
    assert offenders == []


def test_flow_modules_do_not_postpone_annotations():
    # Served flows pickle by value; postponed annotations lose the PrepareConfig type (prefect.md 3.1).
    for path in (PIPELINE.parent / "flows").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        future = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
        assert future == [], path
