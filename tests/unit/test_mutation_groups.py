"""`make mutate`'s groups (tests/mutation): each module mutated in exactly one group, and each group's generated
config names only its own modules and its own tests, the rest being the project's [tool.mutmut]."""

import fnmatch
import tomllib
from pathlib import Path

import pytest

from tests.mutation.__main__ import (
    PACKAGE,
    ROOT,
    count,
    group_config,
    group_pyproject,
    module_name,
    patterns_for,
    project_mutmut,
    read_verdicts,
)
from tests.mutation.groups import GROUPS

BASE = project_mutmut()
LAYERS = ROOT / "layers"


def mutated_modules() -> list[str]:
    """The modules [tool.mutmut]'s only_mutate names (its patterns read as mutmut reads them, under src/ -> layers/)."""
    files = sorted(str(path.relative_to(LAYERS / "ringbridge")) for path in (LAYERS / "ringbridge").rglob("*.py"))
    return [
        module for module in files if any(fnmatch.fnmatch(PACKAGE + module, pattern) for pattern in BASE["only_mutate"])
    ]


def test_every_mutated_module_is_in_exactly_one_group() -> None:
    grouped = [module for group in GROUPS.values() for module in group.modules]

    assert sorted(grouped) == mutated_modules()  # none twice, none left out, none that only_mutate leaves out


@pytest.mark.parametrize("name", GROUPS)
def test_a_groups_config_names_only_its_modules_and_its_tests(name: str) -> None:
    group = GROUPS[name]
    config = tomllib.loads(group_pyproject((ROOT / "pyproject.toml").read_text(), group_config(group, BASE)))

    mutmut = config["tool"]["mutmut"]
    modules = [PACKAGE + module for module in group.modules]
    assert mutmut["only_mutate"] == modules
    assert mutmut["type_check_command"] == [*BASE["type_check_command"], *modules]
    assert mutmut["pytest_add_cli_args_test_selection"] == list(group.tests)
    group_keys = ("only_mutate", "type_check_command", "pytest_add_cli_args_test_selection")
    shared = {key: value for key, value in BASE.items() if key not in group_keys}
    assert {key: value for key, value in mutmut.items() if key not in group_keys} == shared


def test_a_groups_pyproject_keeps_the_projects_other_settings() -> None:
    """pytest's pythonpath and markers, mypy's settings: the tests and the type check run under them in mutants/."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    config = tomllib.loads(group_pyproject((ROOT / "pyproject.toml").read_text(), group_config(GROUPS["retry"], BASE)))

    assert {**config, "tool": {**config["tool"], "mutmut": None}} == {
        **project,
        "tool": {**project["tool"], "mutmut": None},
    }


@pytest.mark.parametrize("name", GROUPS)
def test_a_groups_tests_exist_and_read_mutated_code(name: str) -> None:
    for test in GROUPS[name].tests:
        assert (ROOT / test).is_file(), test
        # The checks of the repository's own files read no mutated code, and mutants/ does not hold those files.
        assert Path(test).name not in ("test_docs.py", "test_makefile.py", "test_layering.py", "test_artifact.py")
    assert len(set(GROUPS[name].tests)) == len(GROUPS[name].tests)


def test_mutant_names_pick_the_groups_of_their_modules() -> None:
    assert module_name("logic/ringcloud.py") == "ringbridge.logic.ringcloud"
    assert module_name("oauth/__init__.py") == "ringbridge.oauth"
    picked = {name for name, group in GROUPS.items() if patterns_for(group, ["ringbridge.dal.oauth.*"])}
    assert picked == {"oauth-dal"}
    assert patterns_for(GROUPS["token-check"], ["ringbridge.auth.x_check__mutmut_3", "ringbridge.dal.*"]) == [
        "ringbridge.auth.x_check__mutmut_3"
    ]
    every_dal_group = {name for name, group in GROUPS.items() if patterns_for(group, ["ringbridge.dal.*"])}
    with_dal = {name for name, group in GROUPS.items() if any(module.startswith("dal/") for module in group.modules)}
    assert every_dal_group == with_dal


def test_the_report_counts_each_exit_code_as_mutmut_means_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "- `ringbridge.a.x_f__mutmut_8`: equivalent: a log line's text\n"
        "- `ringbridge.a.x_f__mutmut_9`: killed by test_x (checked on the mutant)\n"
        "- `ringbridge.a.x_f__mutmut_10`: killed by the existing tests: it runs only at import\n"
        "- `ringbridge.a.x_f__mutmut_11`: removed with the code it mutated: a fallback that never ran\n"
    )
    verdicts = read_verdicts([notes])
    codes = {
        f"ringbridge.a.x_f__mutmut_{n}": code for n, code in enumerate([0, 1, 3, 37, 36, -24, 33, None, 0, 0, 0, 0])
    }
    counts = count(codes, verdicts)

    assert (counts.mutants, counts.type_check, counts.killed, counts.killed_by_new_tests) == (11, 1, 5, 1)
    assert (counts.equivalent, counts.unexamined, counts.not_run) == (1, 2, 1)
    assert counts.timeouts == ["ringbridge.a.x_f__mutmut_4", "ringbridge.a.x_f__mutmut_5"]
    assert counts.removed == ["ringbridge.a.x_f__mutmut_11"]  # gone from the code, so from the count
    assert counts.score() == "70 % of 10 run"
