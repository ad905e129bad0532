"""Recording retention in template.yaml: the bucket's rule backs the sweep up, and the sweep may do no more
than its work needs (docs/data-lifecycle.md)."""

from ringbridge_tools.local import template


def test_the_bucket_expires_recordings_after_the_retention_only_when_there_is_one() -> None:
    loaded = template.load()
    rules = loaded["Resources"]["RecordingsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    [rule] = [rule for rule in rules if rule["Id"] == "ExpireRecordings"]

    assert loaded["Parameters"]["RecordingRetentionDays"]["Default"] == 0  # keep for ever
    assert loaded["Conditions"]["HasRecordingRetention"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "RecordingRetentionDays"}, 0]}]
    }
    assert rule["Status"] == {"Fn::If": ["HasRecordingRetention", "Enabled", "Disabled"]}
    assert rule["Prefix"] == "accounts/"
    assert rule["ExpirationInDays"]["Fn::If"][:2] == ["HasRecordingRetention", {"Ref": "RecordingRetentionDays"}]


def test_the_sweep_may_only_read_and_write_the_table_and_delete_recordings() -> None:
    function = template.load()["Resources"]["RecordingRetentionFunction"]["Properties"]
    [policy] = function["Policies"]
    actions = {action for statement in policy["Statement"] for action in statement["Action"]}

    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
    }
    [listing] = [statement for statement in policy["Statement"] if "s3:ListBucketVersions" in statement["Action"]]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "accounts/*"}}
    assert function["Events"]["Schedule"]["Properties"]["ScheduleExpression"] == "rate(1 day)"
