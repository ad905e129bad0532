"""The README and docs/ say what the code does: tables compared with template.yaml and the CLI, links that
resolve, and the numbers the prose quotes from `make bench` written by the bench itself."""

import argparse
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import tests.bench
from ringbridge_tools import cli
from ringbridge_tools.local import template
from tests.bench.__main__ import END, PERFORMANCE, QUOTE, START, documents, quote

ROOT = template.ROOT
README = ROOT / "README.md"


def section(text: str, heading: str) -> str:
    """The body of ``heading`` (a whole line) up to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    body = text.split(f"\n{heading}\n", 1)[1]
    return re.split(rf"\n#{{1,{level}}} ", body, maxsplit=1)[0]


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of each row of the table whose header line starts with ``header``."""
    lines = text.split(f"\n{header}", 1)[1].split("\n\n", 1)[0].splitlines()[2:]  # past its header and separator
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]] for line in lines]


def test_the_parameter_table_lists_every_template_parameter_with_its_default() -> None:
    rows = table_rows(section(README.read_text(), "## Deploying"), "| parameter |")
    documented = {row[0].strip("`"): re.sub(r"^`([^`]*)`.*", r"\1", row[1]) for row in rows}  # `default` (note)

    parameters = template.load()["Parameters"]
    assert set(documented) == set(parameters)
    for name, parameter in parameters.items():
        assert documented[name] == (str(parameter.get("Default")) or "empty"), name


def admin_commands() -> set[str]:
    [admin] = [
        action.choices["admin"]
        for action in cli.build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    [commands] = [action for action in admin._actions if isinstance(action, argparse._SubParsersAction)]
    return set(commands.choices)


def test_the_admin_table_lists_every_admin_command() -> None:
    text = section(README.read_text(), "### Accounts, users and tokens (admin CLI)")
    rows = table_rows(text, "| command | what |")
    documented = {re.match(r"`([a-z-]+)", row[0])[1] for row in rows}  # type: ignore[index]

    assert documented == admin_commands()
    assert {"ringcloud-config", "ringcloud-status", "ringcloud-remove"} <= documented


def test_the_lambda_context_names_every_timeout_and_memory_size_the_template_gives() -> None:
    text = README.read_text().split("- **The Lambda context.**", 1)[1].split("\n- **", 1)[0]
    globals_ = template.load()["Globals"]["Function"]
    functions = template.functions().values()

    assert f"Globals: {globals_['Timeout']} s and 512 MB" in text
    assert dict(re.findall(r"`(\w+Function)` (\d+) s", text)) == {
        f.logical_id: str(f.timeout_seconds) for f in functions if f.timeout_seconds != globals_["Timeout"]
    }
    assert dict(re.findall(r"`(\w+Function)` (\d+) MB", text)) == {
        f.logical_id: str(f.memory_mb) for f in functions if f.memory_mb != 512
    }


def test_the_quickstart_is_short_and_comes_first() -> None:
    text = README.read_text()
    quickstart = section(text, "## Quickstart")

    assert re.findall(r"^## (.*)", text, re.M)[0] == "Quickstart"
    assert len(quickstart.strip().splitlines()) <= 40


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in path.read_text().splitlines() if re.match(r"#+ ", line)}


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_every_link_between_the_documents_resolves(document: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", document.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name}: {target}"
        if anchor:
            assert anchor in anchors(linked), f"{document.name}: {target}"


def bench_quoted_names() -> set[str]:
    names: set[str] = set()
    for info in pkgutil.iter_modules(tests.bench.__path__):
        module = importlib.import_module(f"tests.bench.{info.name}")
        names |= set(getattr(module, "QUOTED", ()))
    return names


def test_every_number_the_prose_quotes_is_one_the_bench_writes() -> None:
    quoted = {found["name"] for document in documents() for found in QUOTE.finditer(document.read_text())}

    assert quoted == bench_quoted_names()  # none written by hand, none measured for nothing


def test_the_bench_rewrites_the_quoted_numbers_and_nothing_else() -> None:
    text = "FindContact <!-- bench:cold_find_contact -->+100<!-- /bench --> and <!-- bench:other -->7<!-- /bench -->."

    assert quote(text, {"cold_find_contact": "+91"}) == (
        "FindContact <!-- bench:cold_find_contact -->+91<!-- /bench --> and <!-- bench:other -->7<!-- /bench -->."
    )


def test_the_measurements_live_in_docs_performance() -> None:
    performance = PERFORMANCE.read_text()

    assert performance.count(START) == performance.count(END) == 1
    assert START not in README.read_text()


def shell_commands(document: Path) -> list[str]:
    """Each command of the document's sh blocks, continuation lines joined."""
    blocks = re.findall(r"```sh\n(.*?)```", document.read_text(), re.S)
    return [command for block in blocks for command in block.replace("\\\n", " ").splitlines()]


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_no_example_writes_with_a_read_only_token(document: Path) -> None:
    commands = shell_commands(document)
    read_only = {name for command in commands for name in re.findall(r"^\s*(\w+)=\$\(.*'ro_token'", command)}
    writes = [command for command in commands if re.search(r"curl .*(-X (POST|PUT|DELETE)|-d |--data)", command)]

    assert [command for command in writes if any(f"${name}" in command for name in read_only)] == []  # a 403


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_plain_http_downloads_are_said_to_need_allow_local_downloads(document: Path) -> None:
    paragraphs = re.split(r"\n\s*\n|\n- ", document.read_text())
    about_plain_downloads = [p for p in paragraphs if "plain" in p and "HTTP" in p and "download" in p]

    for paragraph in about_plain_downloads:
        assert "ALLOW_LOCAL_DOWNLOADS" in paragraph, paragraph  # the one gate (ringbridge.settings)


def test_the_tests_section_names_everything_make_test_runs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    lint = makefile.split("\nlint: ", 1)[1].split("\n\n", 1)[0]
    tools = re.findall(r"\$\(BIN\)/([\w-]+)", f"{lint}\n{recipe}") + [
        f"make {t}" for t in re.findall(r"\$\(MAKE\) (\w+)", recipe)
    ]
    text = section(README.read_text(), "## Tests")

    assert {"ruff", "cfn-lint", "mypy", "pytest", "make fuzz", "make browser"} <= set(tools)
    assert [tool for tool in tools if tool not in text] == []
