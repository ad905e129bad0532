"""Recording retention from the admin CLI against the local stack: set an account's, sweep, and the call's
recording is gone for good (docs/data-lifecycle.md)."""

import json
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from ringbridge import clock
from ringbridge_tools.local import template
from tests.support.local_server import LocalServer, ringbridge

pytestmark = pytest.mark.e2e

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


def test_the_cli_sets_an_accounts_retention_and_sweeps_its_old_recordings(local_server: LocalServer) -> None:
    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return ringbridge("admin", "--local", "--state-dir", str(local_server.state_dir), *args)

    # Given an account with a call recorded two days ago (the upload time moved back in the emulator's table)
    account = json.loads(
        admin("create-account", "--name", f"Retention {uuid.uuid4().hex[:6]}", "--region", "UA").stdout
    )
    token = json.loads(admin("create-token", account["id"], "--scope", "rw").stdout)["token"]
    activity = local_server.request("POST", "/ringotel/activities", token, json={"call_id": f"ret-{uuid.uuid4().hex}"})
    path = f"/ringotel/activities/{activity.json()['id']}/recording"
    put = local_server.request("PUT", path, token, data=AUDIO, headers={"Content-Type": "audio/wav"})
    assert put.status_code == 200, put.text
    endpoint = f"http://127.0.0.1:{local_server.emulator_port}"
    boto3.client("dynamodb", endpoint_url=endpoint).update_item(
        TableName=template.local_name("Table"),
        Key={"PK": {"S": f"ACCOUNT#{account['id']}"}, "SK": {"S": f"ACTIVITY#{activity.json()['id']}"}},
        UpdateExpression="SET recording.uploaded_at = :then",
        ExpressionAttributeValues={":then": {"S": clock.iso(datetime.now(UTC) - timedelta(days=2))}},
    )

    # When the account is set to keep recordings one day, and its recordings are swept
    setting = admin("set-recording-retention", account["id"], "1")
    sweep = admin("sweep-recordings", account["id"])

    # Then the sweep deleted the recording, every version of it, and fetching it answers 410
    assert setting.returncode == 0 and json.loads(setting.stdout)["effective_days"] == 1, setting.stderr
    assert sweep.returncode == 0, sweep.stderr
    swept = json.loads(sweep.stdout)
    assert (swept["complete"], swept["recordings_deleted"]) == (True, 1)
    fetched = local_server.request("GET", path, token)
    assert fetched.status_code == 410 and fetched.json()["error"]["field"] == "recording"
    left = boto3.client("s3", endpoint_url=endpoint).list_object_versions(
        Bucket=template.local_name("RecordingsBucket"), Prefix=f"accounts/{account['id']}/"
    )
    assert left.get("Versions", []) == [] and left.get("DeleteMarkers", []) == []
