"""The deployment artifact as `sam build` makes it, built by the same Makefiles without the SAM CLI.

`sam build` runs `make build-<LogicalId>` in layers/ and functions/ (template.yaml: BuildMethod
makefile); so does this, for Lambda's architecture (arm64, the default) or this machine's, whose
native wheels (pydantic_core) can run here. `runtime()` stands in for what Lambda's python3.13
runtime adds on sys.path: boto3, with its bytecode.
"""

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from ringbridge_tools.local import template

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "python3.13"  # the Makefile puts pyenv's on PATH where there is one
LAMBDA_PLATFORM = "manylinux2014_aarch64"
HOST_PLATFORM = f"manylinux2014_{platform.machine()}"
SAM_ZIP_TIME = 315532800  # 1980-01-01T00:00:00Z: every file's mtime in SAM's zip


def python313() -> str:
    """python3.13, or a clear failure: sam build and the artifact's bytecode need that exact version."""
    try:
        subprocess.run([PYTHON, "-c", "pass"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise RuntimeError(
            "python3.13 is not on PATH: `sam build` (and this) need it; `make` adds pyenv's 3.13 when there is one"
        ) from error
    return PYTHON


def _make(directory: str, logical_id: str, artifacts: Path, *variables: str) -> None:
    subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(ROOT / directory), f"build-{logical_id}",
         f"ARTIFACTS_DIR={artifacts}", f"PYTHON={python313()}", *variables],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def build(dest: Path, platform_tag: str = LAMBDA_PLATFORM) -> Path:
    """dest/SharedLayer (its python/ is /opt/python) and dest/<LogicalId> per function (/var/task)."""
    _make("layers", "SharedLayer", dest / "SharedLayer", f"PLATFORM={platform_tag}")
    for logical_id in template.functions():
        (dest / logical_id).mkdir(parents=True, exist_ok=True)
        _make("functions", logical_id, dest / logical_id)
    return dest


def runtime(dest: Path) -> Path:
    """boto3 for python3.13 with its bytecode, as the Lambda runtime has it (the floor imports it)."""
    if not (dest / "boto3").is_dir():
        subprocess.run(
            [python313(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(dest),
             f"boto3=={version('boto3')}"],  # the dev venv's, so the floors compare
            check=True,
        )  # fmt: skip
    return dest


def date_as_sam_zip(tree: Path) -> None:
    """Every file and folder dated 1980-01-01, as SAM's zip leaves them in Lambda."""
    for path in [tree, *tree.rglob("*")]:
        os.utime(path, (SAM_ZIP_TIME, SAM_ZIP_TIME))


def without_bytecode(tree: Path) -> None:
    """What SAM's default python3.13 build method ships: the same sources and no .pyc."""
    for cache in list(tree.rglob("__pycache__")):
        for pyc in cache.iterdir():
            pyc.unlink()
        cache.rmdir()


def sys_path(artifact: Path, logical_id: str, runtime_dir: Path) -> list[str]:
    """Lambda's order: /var/task, the layer's /opt/python, then the runtime's packages."""
    return [str(artifact / logical_id), str(artifact / "SharedLayer" / "python"), str(runtime_dir)]
