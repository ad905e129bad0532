"""What `sam build` ships: bytecode that python3.13 uses as is, and only the code that runs.

The artifact is built once for this module by the Makefiles `sam build` runs (layers/Makefile,
functions/Makefile), with this machine's wheels so that its handlers can be imported here; the
arm64 build differs only in the native wheels (pydantic_core). About 15 s with pip's cache warm.
"""

import json
import subprocess
from pathlib import Path

import pytest

from ringbridge_tools.local import template
from tests.bench import artifact

ROOT = artifact.ROOT

# Run by python3.13: every .py has a .pyc that this interpreter loads without compiling or even
# reading the source (unchecked-hash), compiled from exactly that source; no other .pyc is shipped.
CHECK_BYTECODE = """
import importlib.util, json, sys
from pathlib import Path

problems, checked = [], 0
for source in Path(sys.argv[1]).rglob("*.py"):
    cached = Path(importlib.util.cache_from_source(str(source)))
    data = cached.read_bytes() if cached.is_file() else b""
    if not data:
        problems.append(f"{source}: no {cached.name}")
    elif data[:4] != importlib.util.MAGIC_NUMBER:
        problems.append(f"{cached}: not python{sys.version_info[0]}.{sys.version_info[1]} bytecode")
    elif int.from_bytes(data[4:8], "little") != 0b01:
        problems.append(f"{cached}: not unchecked-hash (flags {int.from_bytes(data[4:8], 'little'):#b})")
    elif data[8:16] != importlib.util.source_hash(source.read_bytes()):
        problems.append(f"{cached}: compiled from another version of {source.name}")
    checked += 1
for pyc in Path(sys.argv[1]).rglob("*.pyc"):
    if not Path(importlib.util.source_from_cache(str(pyc))).is_file() or sys.implementation.cache_tag not in pyc.name:
        problems.append(f"{pyc}: no source beside it, or another interpreter's")
print(json.dumps({"problems": problems, "checked": checked}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return artifact.build(tmp_path_factory.mktemp("artifact"), artifact.HOST_PLATFORM)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return artifact.runtime(tmp_path_factory.mktemp("runtime"))


def _py_files(tree: Path) -> set[str]:
    return {str(path.relative_to(tree)) for path in tree.rglob("*.py")}


def test_the_template_builds_the_layer_and_every_function_with_the_makefiles() -> None:
    resources = template.load()["Resources"]
    built_by = {
        name: resource.get("Metadata", {}).get("BuildMethod")
        for name, resource in resources.items()
        if isinstance(resource, dict)  # not a Fn::ForEach:: loop
    }
    assert built_by["SharedLayer"] == "makefile"
    assert {name: built_by[name] for name in template.functions()} == dict.fromkeys(template.functions(), "makefile")


@pytest.mark.parametrize("tree", ["SharedLayer", *template.functions()])
def test_every_source_has_valid_hash_based_bytecode_for_python313(built: Path, tree: str) -> None:
    done = subprocess.run(
        [artifact.python313(), "-c", CHECK_BYTECODE, str(built / tree)], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report["problems"] == []
    assert report["checked"] >= 2  # at least a module and its package's __init__.py


def test_the_layer_ships_the_runtime_package_without_the_tooling(built: Path) -> None:
    layer = built / "SharedLayer" / "python"
    source = _py_files(ROOT / "layers")
    runtime_code = {path for path in source if path.startswith("ringbridge/")}
    assert any(path.startswith("ringbridge_tools/") for path in source)  # beside the runtime, in layers/
    shipped = {path for path in _py_files(layer) if path.startswith("ringbridge")}  # ringbridge_tools/ too
    assert shipped == runtime_code
    assert not (layer / "ringbridge_tools").exists()
    assert not (layer / "bin").exists()  # console scripts of the dependencies
    assert {"pydantic", "aws_lambda_powertools", "phonenumbers", "requests"} <= {p.name for p in layer.iterdir()}


def test_the_layer_leaves_boto3_and_botocore_to_the_runtime(built: Path) -> None:
    """A second botocore (aws-xray-sdk requires one) would be 32 MB: more than the rest of the layer."""
    shipped = {path.name for path in (built / "SharedLayer" / "python").iterdir()}
    assert not shipped & {"boto3", "botocore", "s3transfer", "dateutil", "six.py"}


def test_each_function_ships_only_its_own_module(built: Path) -> None:
    for logical_id, function in template.functions().items():
        module = function.module.replace(".", "/")
        package = module.rsplit("/", 1)[0]
        assert _py_files(built / logical_id) == {f"{module}.py", f"{package}/__init__.py"}, logical_id


def test_every_handler_imports_from_the_artifact_alone(built: Path, runtime: Path) -> None:
    """Nothing a function needs was left out: its handler loads with only the artifact and the runtime's
    boto3 on sys.path (no site-packages), as in Lambda."""
    for logical_id, function in template.functions().items():
        paths = artifact.sys_path(built, logical_id, runtime)
        script = (
            f"import sys; sys.path[:0] = {paths!r}; "
            f"from {function.module} import lambda_handler; "
            "assert all(not m.startswith('ringbridge_tools') for m in sys.modules); "
            # ringbridge.coldstart: Powertools' other resolvers (and asyncio) are not loaded
            "assert 'aws_lambda_powertools.event_handler.appsync' not in sys.modules, 'event_handler/__init__ ran'; "
            "assert 'aws_lambda_powertools.utilities.data_classes.code_pipeline_job_event' not in sys.modules, "
            "'data_classes/__init__ ran'"
        )
        done = subprocess.run([artifact.python313(), "-S", "-B", "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, f"{logical_id}: {done.stderr}"
