"""Deployment package sizes: each function's own code and the shared layer, unzipped."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ringbridge.local import template

TITLE = "Package sizes"
ROOT = Path(__file__).resolve().parents[2]


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and "__pycache__" not in f.parts)


def measure() -> str:
    code_dirs = {function.code_uri for function in template.functions().values()}
    rows = ["| package | unzipped | limit |", "|---|---:|---:|"]
    for code in sorted(code_dirs):
        rows.append(
            f"| function code (`{code.relative_to(ROOT)}/`, shared by every function) | "
            f"{_size(code) / 1024:.0f} KB | 1 MB |"
        )
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch, "python")
        # What `sam build` puts in the layer: arm64 wheels for Python 3.13, plus the ringbridge package.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                "--platform",
                "manylinux2014_aarch64",
                "--implementation",
                "cp",
                "--python-version",
                "3.13",
                "--only-binary=:all:",
                "-r",
                str(ROOT / "layers" / "requirements.txt"),
            ],
            check=True,
        )
        shutil.copytree(
            ROOT / "layers" / "ringbridge", target / "ringbridge", ignore=shutil.ignore_patterns("__pycache__")
        )
        rows.append(
            f"| shared layer (`layers/`: requirements + ringbridge) | {_size(target) / 1024 / 1024:.1f} MB | 20 MB |"
        )
    return "\n".join(rows)
