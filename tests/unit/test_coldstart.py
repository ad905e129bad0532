"""ringbridge.coldstart in fresh processes, as a Lambda instance starts: less is loaded, nothing changes."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ringbridge_tools.local import stack

ROOT = Path(__file__).resolve().parents[2]


def _fresh(script: str, env: dict[str, str] | None = None) -> Any:
    """Run ``script`` in a new interpreter with the source tree on sys.path; it prints one JSON value."""
    prelude = f"import json, sys; sys.path[:0] = [{str(ROOT / 'functions')!r}, {str(ROOT / 'layers')!r}]\n"
    done = subprocess.run([sys.executable, "-c", prelude + script], capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout)


def _loaded_by_find_contact() -> set[str]:
    return set(_fresh("import ringotel.find_contact\nprint(json.dumps(sorted(sys.modules)))"))


def test_a_function_loads_the_http_resolver_without_the_other_resolvers() -> None:
    loaded = _loaded_by_find_contact()
    assert "aws_lambda_powertools.event_handler.api_gateway" in loaded
    resolvers = ("appsync", "bedrock_agent", "vpc_lattice")
    assert not loaded & {"asyncio", *(f"aws_lambda_powertools.event_handler.{name}" for name in resolvers)}


def test_the_http_resolver_loads_only_the_event_classes_it_names() -> None:
    classes = {m.rpartition(".")[2] for m in _loaded_by_find_contact() if ".utilities.data_classes." in m}
    assert "api_gateway_proxy_event" in classes
    assert not classes & {"s3_event", "sqs_event", "kinesis_stream_event"}


def test_the_deferred_package_is_whole_as_soon_as_anything_else_is_asked_of_it() -> None:
    names = _fresh(
        "import ringotel.find_contact\n"
        "from aws_lambda_powertools.event_handler import AppSyncResolver, APIGatewayHttpResolver, content_types\n"
        "from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver as home\n"
        "from aws_lambda_powertools.utilities.data_classes import S3Event\n"
        "print(json.dumps([AppSyncResolver.__name__, APIGatewayHttpResolver is home, content_types.APPLICATION_JSON,"
        " S3Event.__name__]))"
    )
    assert names == ["AppSyncResolver", True, "application/json", "S3Event"]


def test_numbers_are_read_without_loading_the_formatter_and_matcher_and_phonenumbers_stays_whole() -> None:
    result = _fresh(
        "import ringotel.find_contact\n"
        "from ringbridge import phones\n"
        "e164 = phones.to_e164('(044) 111-11-11', 'UA')\n"
        "unused = sorted(m for m in sys.modules if m.endswith(('asyoutypeformatter', 'phonenumbermatcher')))\n"
        "import phonenumbers\n"
        "typed = phonenumbers.AsYouTypeFormatter('UA').input_digit('0')\n"
        "print(json.dumps([e164, unused, typed]))"
    )
    assert result == ["+380441111111", [], "0"]


def test_the_collector_is_paused_while_a_function_loads_and_its_first_request_restarts_it() -> None:
    states = _fresh(
        "import gc\n"
        "import ringotel.find_contact\n"
        "paused = gc.isenabled()\n"
        "from ringbridge import coldstart\n"
        "coldstart.resume_gc()\n"
        "print(json.dumps([paused, gc.isenabled(), gc.get_freeze_count() > 10_000]))"
    )
    assert states == [False, True, True]


def test_a_function_never_searches_the_installed_packages_for_pydantic_plugins() -> None:
    """With the template's environment, pydantic builds its models without reading every package's metadata."""
    script = (
        "import importlib.metadata\n"
        "searched = []\n"
        "importlib.metadata.entry_points = lambda **kwargs: searched.append(kwargs) or ()\n"
        "import ringotel.find_contact\n"
        "from ringbridge.models.errors import Error\n"
        "Error(error={'code': 'invalid', 'message': 'm', 'field': None})\n"
        "print(json.dumps(searched))"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    assert _fresh(script, environment) == [{"group": "pydantic"}]  # what it costs without the setting
    assert _fresh(script, {**environment, **stack.function_environment()}) == []


def test_the_read_only_contact_functions_do_not_load_the_write_side_models() -> None:
    for module in ("ringotel.find_contact", "ringotel.contacts", "ringio.feeds"):
        loaded = set(_fresh(f"import {module}\nprint(json.dumps(sorted(sys.modules)))"))
        assert "ringbridge.models.contact_input" not in loaded, module


def test_no_function_loads_the_types_of_the_stored_items() -> None:
    """ringbridge.dal.items is for mypy (imported under TYPE_CHECKING only): no cold start pays for it."""
    functions = sorted((ROOT / "functions").glob("*/[!_]*.py"))
    script = "".join(f"import {path.parent.name}.{path.stem}\n" for path in functions)
    loaded = set(_fresh(script + "print(json.dumps(sorted(sys.modules)))"))
    assert len(functions) > 20 and "ringbridge.logic.contacts" in loaded
    assert "ringbridge.dal.items" not in loaded
