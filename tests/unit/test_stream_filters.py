"""The push's FilterCriteria from template.yaml, read by the local event source mapping, on each kind of item."""

import pytest

from ringbridge_tools.local import streams

A = "ACCOUNT#01ACCOUNT"


def push_patterns() -> tuple[dict, ...]:
    [mapping] = [each for each in streams.mappings() if each.function.logical_id == "RingostatPushFunction"]
    return mapping.patterns


def record(event_name: str, pk: str, sk: str, chg_pk: str | None = None) -> dict:
    image = {"PK": {"S": pk}, "SK": {"S": sk}, **({"CHG_PK": {"S": chg_pk}} if chg_pk else {})}
    dynamodb: dict = {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "SequenceNumber": "1"}
    if event_name != "INSERT":
        dynamodb["OldImage"] = image
    if event_name != "REMOVE":
        dynamodb["NewImage"] = image
    return {"eventName": event_name, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}


@pytest.mark.parametrize(
    ("what", "event", "invokes"),
    [
        ("a new contact", record("INSERT", A, "CONTACT#c1", f"{A}#CONTACT"), True),
        ("a changed contact", record("MODIFY", A, "CONTACT#c1", f"{A}#CONTACT"), True),
        ("a new organization", record("INSERT", A, "ORG#o1", f"{A}#ORGANIZATION"), True),
        ("a deleted contact", record("REMOVE", A, "CONTACT#c1", f"{A}#CONTACT"), False),
        ("a contact's number copy", record("INSERT", f"{A}#PHONE#+380441111111", "CONTACT#c1"), False),
        ("an organization's name item", record("INSERT", A, "ORGNAME#acme"), False),
        ("an idempotency record", record("INSERT", A, "IDEMPOTENCY#create_contact#k1"), False),
        ("a call activity", record("INSERT", A, "ACTIVITY#a1", f"{A}#ACTIVITY"), False),
        ("an activity's call copy", record("INSERT", A, "CALL#1729693708182-x"), False),
        ("a note", record("INSERT", A, "NOTE#n1", f"{A}#NOTE"), False),
        ("a user", record("INSERT", A, "USER#u1", f"{A}#USER"), False),
        ("a contact's tombstone", record("INSERT", A, "TOMBSTONE#CONTACT#c1", f"{A}#CONTACT"), False),
        ("the Ringostat status (its send lease)", record("MODIFY", A, "RINGOSTAT#STATUS"), False),
        ("the Ringostat registry", record("INSERT", "RINGOSTAT#ACCOUNTS", "01ACCOUNT"), False),
        ("a run's time on the registry", record("MODIFY", "RINGOSTAT#ACCOUNTS", "01ACCOUNT"), False),
    ],
)
def test_only_an_accounts_contacts_and_organizations_invoke_the_push(what, event, invokes):
    assert any(streams.matches(pattern, event) for pattern in push_patterns()) is invokes, what


def test_filter_operators_follow_lambdas_rules():
    event = {"dynamodb": {"Keys": {"SK": {"S": "CONTACT#1"}}}}

    assert streams.matches({"dynamodb": {"Keys": {"SK": {"S": ["CONTACT#1"]}}}}, event)
    assert streams.matches({"dynamodb": {"Keys": {"SK": {"S": [{"anything-but": ["ORG#1"]}]}}}}, event)
    assert not streams.matches({"dynamodb": {"Keys": {"SK": {"S": [{"anything-but": "CONTACT#1"}]}}}}, event)
    assert streams.matches({"dynamodb": {"NewImage": {"X": {"S": [{"exists": False}]}}}}, event)
    assert not streams.matches({"dynamodb": {"NewImage": {"X": {"S": [{"exists": True}]}}}}, event)
    assert streams.matches({"dynamodb": {"Keys": {"SK": {"S": [{"suffix": "#1"}]}}}}, event)
    with pytest.raises(ValueError, match="numeric"):
        streams.matches({"dynamodb": {"Keys": {"SK": {"S": [{"numeric": [">", 0]}]}}}}, event)
