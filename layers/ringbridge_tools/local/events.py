"""Sample events (events/<area>/*.json) and their placeholders.

An event file may say ``{{name}}`` in any string, for every text field of one account's sample
data (an entry of demo.json, made by ringbridge_tools.local.demo.seed_account): ``{{rw_token}}``,
``{{ro_token}}``, ``{{account_id}}``, ``{{user_id}}``, ``{{contact_id}}``, ... To offer a new
placeholder, add the field there. The ``ringbridge invoke`` command, the events test and the
bench all fill events with ``fill`` and nothing else.
"""

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ringbridge_tools.local import template

EVENTS_DIR = template.ROOT / "events"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def placeholders(account: Mapping[str, Any]) -> dict[str, str]:
    """The values an event may refer to: every text field of a demo.json account entry."""
    return {name: value for name, value in account.items() if isinstance(value, str)}


def fill(value: Any, values: Mapping[str, str]) -> Any:
    """``value`` (a parsed event) with every ``{{name}}`` in its strings replaced by ``values[name]``."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: _value(match.group(1), values), value)
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {name: fill(item, values) for name, item in value.items()}
    return value


def _value(name: str, values: Mapping[str, str]) -> str:
    if name not in values:
        raise ValueError(f"unknown placeholder {{{{{name}}}}}; known: {', '.join(sorted(values))}")
    return values[name]


def load(path: Path, values: Mapping[str, str]) -> dict[str, Any]:
    return fill(json.loads(path.read_text()), values)


def is_http(event: Mapping[str, Any]) -> bool:
    """An HTTP API or function URL event (payload 2.0), as opposed to e.g. a scheduled one."""
    return "http" in (event.get("requestContext") or {})


def files() -> list[Path]:
    return sorted(EVENTS_DIR.rglob("*.json"))
