"""House rule 1: a module may use another's schemas, events, errors and service, never its models."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "tvers"
# Places whose job is to see every table: the schema registry and the migrations.
ALLOWED = {SRC / "schema.py"}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_module_imports_another_modules_models():
    offences = []
    for path in SRC.rglob("*.py"):
        if path in ALLOWED or "migrations" in path.parts:
            continue
        owner = path.relative_to(SRC).parts[0]
        for name in imported_modules(path):
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "tvers" and parts[2] == "models" and parts[1] != owner:
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []
