"""Ringotel's call activities: a call id, a contact for calls to match, and a call started."""

import uuid
from typing import Any

from tests.support.api import call, new_ringotel_contact
from tests.support.tenants import Tenant


def new_call_id() -> str:
    return f"1729693708182-{uuid.uuid4().hex[:18]}"


def contact(tenant: Tenant, number: str = "+380 44 111 11 11", **fields: Any) -> dict[str, Any]:
    """A contact with a work number, for calls to match."""
    return new_ringotel_contact(tenant, phones=[{"number": number, "type": "work"}], **fields)


def start(tenant, call_id=None, expect=201, **fields):
    body = {
        "call_id": call_id or new_call_id(),
        "direction": "inbound",
        "caller_number": "380441111111",
        "called_number": "101",
        "started_at": 1729693708182,
        **fields,
    }
    answer = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert answer.status == expect, answer.body
    return answer.body
