"""template.yaml's operations: every function has its log group and alarms; the parameters' defaults."""

from ringbridge_tools.local import template


def test_every_function_has_its_log_group_and_alarms() -> None:
    _, functions, fragment = template.load()["Resources"]["Fn::ForEach::FunctionOperations"]

    assert sorted(functions) == sorted(template.functions())  # a new function must join the list
    assert {resource["Type"] for resource in fragment.values()} == {"AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm"}


def test_log_retention_tracing_and_alarm_email_defaults() -> None:
    parameters = template.load()["Parameters"]

    assert parameters["LogRetentionDays"]["Default"] == 30
    assert parameters["Tracing"]["Default"] == "off"
    assert parameters["AlarmEmail"]["Default"] == ""


def test_every_sync_alarm_has_its_failure_metric() -> None:
    _, syncs, _ = template.load()["Resources"]["Fn::ForEach::SyncAlarms"]

    assert set(syncs) == set(template.load()["Mappings"]["SyncFailureMetrics"])
