"""The Makefile's install stamps and `make deploy`, read with `make -n` (what it would run) in a copy."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from ringbridge_tools.local import template

ROOT = template.ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The files the Makefile reads, and a venv that already has python and uv (nothing installed yet)."""
    for name in ("Makefile", "pyproject.toml", "samconfig.toml", "layers/requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    for tool in (".venv/bin/python", ".venv/bin/uv", ".venv-sam/bin/sam"):
        (tmp_path / tool).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / tool).touch(mode=0o755)
    return tmp_path


def would_run(project: Path, target: str) -> str:
    done = subprocess.run(["make", "-n", target], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


def touch_after_sources(stamp: Path) -> None:
    stamp.touch()
    later = time.time() + 10
    os.utime(stamp, (later, later))


def test_serve_installs_only_the_local_set(project: Path) -> None:
    commands = would_run(project, "serve")

    assert "-e '.[local]'" in commands
    assert "[dev]" not in commands
    assert "touch .venv/.installed-local\n" in commands  # not the dev stamp


def test_test_after_serve_still_installs_the_dev_tools(project: Path) -> None:
    touch_after_sources(project / ".venv/.installed-local")  # `make serve` ran

    assert "-e '.[local]'" not in would_run(project, "serve")
    assert "-e '.[dev]'" in would_run(project, "test")


def test_the_dev_install_counts_for_serve_too(project: Path) -> None:
    commands = would_run(project, "lint")
    assert "-e '.[dev]'" in commands
    assert "touch .venv/.installed .venv/.installed-local" in commands

    touch_after_sources(project / ".venv/.installed")
    touch_after_sources(project / ".venv/.installed-local")
    (project / ".venv-checkov").mkdir()  # checkov's own venv, which `make lint` makes
    touch_after_sources(project / ".venv-checkov/.installed")
    assert "pip install" not in would_run(project, "serve")
    assert "pip install" not in would_run(project, "lint")


def test_a_changed_pyproject_installs_again(project: Path) -> None:
    touch_after_sources(project / ".venv/.installed-local")
    later = time.time() + 20
    os.utime(project / "pyproject.toml", (later, later))

    assert "-e '.[local]'" in would_run(project, "serve")


def test_the_first_deploy_is_guided_and_later_ones_reuse_its_answers(project: Path) -> None:
    first = would_run(project, "deploy")
    assert "sam deploy --guided" in first

    with (project / "samconfig.toml").open("a") as samconfig:  # what `sam deploy --guided` saves
        samconfig.write('region = "eu-central-1"\nparameter_overrides = "AlarmEmail=\\"\\""\n')
    later = would_run(project, "deploy")
    assert "sam deploy" in later
    assert "--guided" not in later
