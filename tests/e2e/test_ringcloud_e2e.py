"""RingCloud against the running local stack: `ringbridge fake ringcloud`, the admin CLI, one invoke."""

import json

import pytest
import requests

from ringbridge_tools.fakes import ringcloud as fake
from tests.support.local_server import LocalServer, ringbridge, running_fake

pytestmark = pytest.mark.e2e


def test_the_fake_plus_one_invoke_shows_imported_calls_with_playable_recordings(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    state = ["--state-dir", str(local_server.state_dir)]
    # Given `ringbridge fake ringcloud` running beside the stack
    with running_fake("ringcloud", *state) as process:
        try:
            keys = ["--api-key", fake.DEMO_KEY, "--password", fake.DEMO_PASSWORD]
            rw = ["--rw-api-key", fake.DEMO_RW_KEY, "--rw-password", fake.DEMO_RW_PASSWORD]
            configured = ringbridge("admin", "--local", *state, "ringcloud-config", demo["account_id"], *keys, *rw)
            assert configured.returncode == 0, configured.stderr
            assert fake.DEMO_PASSWORD not in configured.stdout + configured.stderr

            # When the import is invoked (again if a local invoke's 10 s ran out, as the README says)
            for _ in range(3):
                invoked = ringbridge("invoke", "RingcloudImportFunction", "events/ringcloud/import.json", *state)
                assert invoked.returncode == 0, invoked.stderr
                printed = invoked.stdout[invoked.stdout.index('{\n  "accounts"') :]  # after the function's log lines
                if not json.loads(printed)["stopped_early"]:
                    break

            # Then the four external calls are rings of the demo account, three with a playable recording
            rings = local_server.request("GET", "/ringio/rings", demo["ro_token"]).json()
            imported = [r["ring"] for r in rings if r["ring"]["outcome"] in ("ANSWERED", "NO ANSWER")]
            assert len(imported) == 4  # the demo's own activity is still in progress
            played = 0
            for ring in imported:
                if ring["call_recording"]:
                    link = local_server.request("GET", ring["call_recording"], demo["ro_token"])
                    assert link.status_code == 200, link.text
                    audio = requests.get(link.json()["url"], timeout=10)
                    assert audio.content[:4] == b"RIFF" and audio.content[8:12] == b"WAVE"
                    played += 1
            assert played == 3
            status = ringbridge("admin", "--local", *state, "ringcloud-status", demo["account_id"])
            [account] = json.loads(status.stdout)
            assert account["status"]["calls_imported_total"] == 4
            assert account["status"]["recordings_stored_total"] == 3
        finally:
            ringbridge("admin", "--local", *state, "ringcloud-remove", demo["account_id"])
    # ... and the fake saw nothing over RingCloud's limits (and unregistered itself: running_fake checks)
    _, stderr = process.communicate(timeout=30)
    assert ", 0 over RingCloud's limits" in stderr
