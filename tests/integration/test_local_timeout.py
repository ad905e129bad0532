"""The local HTTP API answers a function that runs past its timeout as API Gateway does: a 500."""

import dataclasses

from werkzeug.test import Client

from ringbridge_tools.local import lambdas
from ringbridge_tools.local.server import LocalApi
from tests.support.tenants import Tenant


def test_a_function_past_its_timeout_answers_500_and_logs_lambdas_line(tenant: Tenant, monkeypatch, capsys) -> None:
    real_context_for = lambdas.context_for
    # A real handler and the real deadline, with a timeout no request can meet (1 ms).
    monkeypatch.setattr(
        lambdas, "context_for", lambda function: dataclasses.replace(real_context_for(function), timeout_seconds=0.001)
    )

    answer = Client(LocalApi()).get("/ringotel/users", headers={"Authorization": f"Bearer {tenant.ro_token}"})

    assert answer.status_code == 500
    assert "Task timed out after 0.00 seconds" in answer.get_json()["error"]["message"]
    assert "Error: Task timed out after 0.00 seconds" in capsys.readouterr().err
