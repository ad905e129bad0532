"""template.yaml under an IaC security scanner: what checkov found that was real is fixed, and every rule
that does not fit is skipped where it applies, with its reason (checkov itself runs in `make lint`)."""

import subprocess
from typing import Any

import pytest

from ringbridge_tools.local import template

CHECKOV = template.ROOT / ".venv-checkov/bin/checkov"


def resource(logical_id: str) -> dict[str, Any]:
    return template.load()["Resources"][logical_id]


def test_the_http_api_logs_every_request_to_a_log_group_with_the_log_retention() -> None:
    settings = resource("Api")["Properties"]["AccessLogSettings"]
    log_group_id, attribute = settings["DestinationArn"]["Fn::GetAtt"]
    log_group = resource(log_group_id)

    assert (log_group["Type"], attribute) == ("AWS::Logs::LogGroup", "Arn")
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    for field in ("$context.requestTime", "$context.identity.sourceIp", "$context.routeKey", "$context.status"):
        assert field in settings["Format"]  # who called what, when, with what status


def test_recordings_are_versioned_and_previous_versions_expire_after_their_retention() -> None:
    bucket = resource("RecordingsBucket")["Properties"]
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}

    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    noncurrent = rules["ExpireNoncurrentVersions"]
    assert noncurrent["Status"] == "Enabled"
    assert noncurrent["NoncurrentVersionExpiration"] == {"NoncurrentDays": {"Ref": "RecordingVersionRetentionDays"}}
    assert "ExpirationInDays" not in noncurrent  # current recordings are not this rule's to expire
    assert template.load()["Parameters"]["RecordingVersionRetentionDays"]["MinValue"] == 1


def test_the_failed_pushes_queue_is_encrypted() -> None:
    assert resource("RingostatPushFailuresQueue")["Properties"]["SqsManagedSseEnabled"] is True


def test_every_skipped_rule_says_why_in_one_line() -> None:
    skips = [
        (logical_id, skip)
        for logical_id, definition in template.load()["Resources"].items()
        if isinstance(definition, dict)  # not an Fn::ForEach
        for skip in definition.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    assert skips
    for logical_id, skip in skips:
        assert skip["id"].startswith("CKV_"), logical_id
        assert 20 <= len(skip["comment"]) <= 120, (logical_id, skip)
        assert "\n" not in skip["comment"], (logical_id, skip)


@pytest.mark.skipif(not CHECKOV.exists(), reason="checkov's venv is made by `make lint`")
def test_checkov_passes_the_template() -> None:
    done = subprocess.run(
        [str(CHECKOV), "--file", "template.yaml", "--framework", "cloudformation", "--skip-download", "--compact"],
        cwd=template.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout
    assert "Failed checks: 0" in done.stdout
