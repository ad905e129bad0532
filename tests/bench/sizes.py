"""Deployment package sizes, unzipped, of the artifact as `sam build` makes it for Lambda (arm64)."""

import shutil
from pathlib import Path

from ringbridge_tools.local import template
from tests.bench import artifact

TITLE = "Package sizes"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure() -> str:
    built = artifact.ROOT / ".aws-sam" / "bench" / "lambda"
    shutil.rmtree(built, ignore_errors=True)
    artifact.build(built)
    functions = {logical_id: _size(built / logical_id) for logical_id in template.functions()}
    largest = max(functions, key=lambda logical_id: functions[logical_id])
    bytecode = sum(f.stat().st_size for f in (built / "SharedLayer").rglob("*.pyc"))
    return "\n".join(
        [
            "| package | unzipped, bytecode included | target |",
            "|---|---:|---:|",
            f"| shared layer (runtime requirements for arm64 + ringbridge without its dev tooling) | "
            f"{_size(built / 'SharedLayer') / 1024 / 1024:.1f} MB (.pyc: {bytecode / 1024 / 1024:.1f} MB) | 25 MB |",
            f"| largest function ({largest}: its module and its package's `__init__.py`) | "
            f"{functions[largest] / 1024:.1f} KB | 100 KB |",
            f"| all {len(functions)} functions together | {sum(functions.values()) / 1024:.0f} KB | |",
        ]
    )
