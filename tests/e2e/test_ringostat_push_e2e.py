"""The push in the local stack: ``ringbridge serve`` polls the table's stream, ``ringbridge fake ringostat`` prints.

A person's walk-through from the README, as subprocesses: a contact created through the API reaches
the fake Ringostat with no manual invoke.
"""

import pytest

from tests.support.local_server import printed_until, ringbridge, running_fake, start_server, stop_server
from tests.support.network import free_port

pytestmark = pytest.mark.e2e


def test_a_contact_created_through_the_api_is_printed_by_the_fake_ringostat(tmp_path, monkeypatch):
    # Given a fake Ringostat run as a person would (registered in a state dir of its own), and the
    # local stack pointed at it by RINGOSTAT_BASE_URL
    port = free_port()
    with running_fake("ringostat", "--port", str(port), "--state-dir", str(tmp_path / "elsewhere")) as fake:
        monkeypatch.setenv("RINGOSTAT_BASE_URL", f"http://127.0.0.1:{port}")
        server = start_server(tmp_path / "state")
        try:
            demo = server.accounts[0]
            configured = ringbridge(
                "admin", "--local", "--state-dir", str(server.state_dir), "ringostat-config", demo["account_id"],
                "--project-id", "601", "--auth-key", "walk-through-key", "--origin", "ringbridge demo",
                "--contact-link", "http://127.0.0.1:3000/contacts/{id}",
            )  # fmt: skip
            assert configured.returncode == 0, configured.stderr

            # When a contact is created through the API
            answer = server.request(
                "POST",
                "/ringotel/contacts",
                demo["rw_token"],
                json={"first_name": "Lesya", "last_name": "Ukrainka", "phones": [{"number": "+380 67 555 44 33"}]},
            )
            assert answer.status_code == 201, answer.text
            contact_id = answer.json()["id"]

            # Then the fake prints the batch holding it, accepted, with no invoke by hand
            printed = printed_until(fake, contact_id)
            batch = next((n for n, line in enumerate(printed) if line.startswith("POST /minicrm/contacts/sync")), None)
            assert batch is not None, printed
            assert printed[batch].strip().endswith("-> 200"), printed
            assert any(contact_id in line and "380675554433" in line for line in printed[batch:]), printed
        finally:
            stop_server(server)
