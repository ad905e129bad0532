"""`make lint`'s import contracts (pyproject.toml's [tool.importlinter]) refuse the imports they forbid.

Each case copies the code to a temporary directory, adds one forbidden import and runs lint-imports
there: the contract it breaks must be reported broken, naming the import.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = {
    "layers": "Layers: oauth's endpoints, http, logic, auth, vendor clients, dal, models, low-level modules",
    "functions-on-top": "functions/ (one module per Lambda) on top: the package never imports a function",
    "functions-independent": "Each Lambda's module imports no other Lambda's (a cold start loads only its own)",
    "no-tooling": "The runtime (functions/, ringbridge) never imports the tooling (ringbridge_tools)",
    "tooling-layers": "The tooling's layers: the CLI, the local stack, the fake vendors",
    "aws-in-dal": "Only ringbridge.dal touches AWS: boto3, botocore and ringbridge.aws (the client factory)",
    "logic-without-caller": "The logic takes an AccountScope, never the request's Caller (ringbridge.caller)",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "layers/ringbridge", tmp_path / "layers/ringbridge", ignore=skip)
    shutil.copytree(ROOT / "layers/ringbridge_tools", tmp_path / "layers/ringbridge_tools", ignore=skip)
    shutil.copytree(ROOT / "functions", tmp_path / "functions", ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    # The copy's package comes first on the path (before the editable install of the real one).
    env = {**os.environ, "PYTHONPATH": str(project / "layers"), "COLUMNS": "1000"}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def add_import(module: Path, statement: str) -> None:
    module.write_text(module.read_text() + f"\n{statement}  # noqa\n")


def test_the_code_keeps_every_contract(project):
    linted = lint_imports(project)

    assert linted.returncode == 0, linted.stdout + linted.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in linted.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract", "reported"),
    [
        # dal is below logic
        ("layers/ringbridge/dal/table.py", "import ringbridge.logic.notes", "layers", "ringbridge.dal.table ->"),
        # siblings of a layer are independent
        ("layers/ringbridge/logic/notes.py", "import ringbridge.oauth.server", "layers", "ringbridge.logic.notes ->"),
        # the two vendor clients share vendor_http and retry, not each other
        (
            "layers/ringbridge/ringcloud_client.py",
            "import ringbridge.ringostat_client",
            "layers",
            "ringcloud_client ->",
        ),
        ("layers/ringbridge/clock.py", "import functions.api.no_route", "functions-on-top", "ringbridge.clock ->"),
        (
            "functions/ringotel/find_contact.py",
            "import functions.ringotel.contacts",
            "functions-independent",
            "functions.ringotel.find_contact ->",
        ),
        # neither the runtime package nor a function imports the tooling
        (
            "layers/ringbridge/logic/notes.py",
            "import ringbridge_tools.local.state",
            "no-tooling",
            "ringbridge.logic.notes ->",
        ),
        ("functions/api/no_route.py", "import ringbridge_tools.cli", "no-tooling", "functions.api.no_route ->"),
        # the local stack is below the CLI, the fakes below the local stack
        ("layers/ringbridge_tools/local/state.py", "import ringbridge_tools.cli", "tooling-layers", "local.state ->"),
        ("layers/ringbridge_tools/fakes/__init__.py", "import ringbridge_tools.local", "tooling-layers", "fakes ->"),
        ("layers/ringbridge/logic/notes.py", "import boto3", "aws-in-dal", "ringbridge.logic.notes -> boto3"),
        ("layers/ringbridge/logic/notes.py", "from ringbridge import aws", "aws-in-dal", "ringbridge.logic.notes ->"),
        ("functions/api/no_route.py", "import botocore.exceptions", "aws-in-dal", "functions.api.no_route -> botocore"),
        # the logic acts within an AccountScope, never on the request's Caller
        (
            "layers/ringbridge/logic/notes.py",
            "from ringbridge.caller import current_caller",
            "logic-without-caller",
            "ringbridge.logic.notes -> ringbridge.caller",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(project, module, statement, contract, reported):
    add_import(project / module, statement)

    linted = lint_imports(project)

    assert linted.returncode == 1, linted.stdout + linted.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in linted.stdout
    assert reported in linted.stdout


def test_make_lint_checks_the_contracts():
    dry_run = subprocess.run(["make", "-n", "lint"], cwd=ROOT, capture_output=True, text=True, check=True)

    assert ".venv/bin/lint-imports --no-cache" in dry_run.stdout


def test_only_the_dal_reads_ssm_through_powertools():
    # import-linter sees an external package only whole (aws_lambda_powertools), so Powertools' SSM reader,
    # an AWS client under another name, is checked here: only dal.secrets reads the vendors' credentials.
    runtime = Path(__file__).resolve().parents[2] / "layers" / "ringbridge"
    readers = {
        path.relative_to(runtime.parent).as_posix()
        for path in runtime.rglob("*.py")
        if "aws_lambda_powertools.utilities.parameters" in path.read_text()
        or "aws_lambda_powertools.utilities import parameters" in path.read_text()
    }
    assert readers == {"ringbridge/dal/secrets.py"}
