"""The single DynamoDB table: key design, (de)serialization and small helpers.

Every item of an account lives under a partition key that starts with ``ACCOUNT#<id>``, so a
request can only ever read or write keys it built from its own authenticated account id.

    PK                               SK                      what
    ACCOUNT#<a>                      ACCOUNT                 the account
    ACCOUNT#<a>                      TOKEN#<key id>          an API token (hash only)
    ACCOUNT#<a>                      USER#<u>                a CRM user
    ACCOUNT#<a>                      USEREXT#<extension>     unique extension -> user id (written with the user)
    ACCOUNT#<a>                      CONTACT#<c>             a contact
    ACCOUNT#<a>                      ORG#<o>                 an organization
    ACCOUNT#<a>                      ORGNAME#<name>          unique organization name -> id
    ACCOUNT#<a>                      IDEMPOTENCY#<op>#<key>  first answer to a keyed request (TTL)
    ACCOUNT#<a>#PHONE#<e164>         CONTACT#<c>             a full copy of the contact, per number
    ACCOUNT#<a>                      NOTE#<n>                a note (Ringio)
    ACCOUNT#<a>                      NOTEOF#<c>#<n>          a full copy of the note, under its contact
    ACCOUNT#<a>                      TOMBSTONE#<KIND>#<id>   a deleted contact, note or user, for the feeds (TTL)
    ACCOUNT#<a>                      RINGOSTAT#CONFIG        Ringostat project settings (dal.ringostat)
    ACCOUNT#<a>                      RINGOSTAT#STATUS        Ringostat sync watermarks and last outcome
    RINGOSTAT#ACCOUNTS               <a>                     registry of accounts to sync (ids only; no Scan)

The phone items are written in the same transaction as the contact, so FindContact is one
strongly consistent Query on the base table (a GSI could only be read eventually consistent).
Contacts and organizations also carry CHG_PK/CHG_SK for the ChangesIndex GSI: what changed
in an account since a moment, in order (users, notes, activities and tombstones too). Contacts
with an owner also carry OWNER_CHG_PK, which puts them (and the owner's tombstones) in the
OwnerChangesIndex GSI: the changes of one user's contacts.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ringbridge import aws, settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

BATCH_GET_MAX_KEYS = 100  # BatchGetItem's limit
CHANGES_INDEX = "ChangesIndex"
OWNER_CHANGES_INDEX = "OwnerChangesIndex"


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def phone_pk(account_id: str, e164: str) -> str:
    return f"ACCOUNT#{account_id}#PHONE#{e164}"


def changes_pk(account_id: str, entity: str) -> str:
    return f"ACCOUNT#{account_id}#{entity}"


def owner_changes_pk(account_id: str, user_id: str, entity: str) -> str:
    return f"ACCOUNT#{account_id}#OWNER#{user_id}#{entity}"


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Serialize a plain dict; None values are left out (absent, not NULL)."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def name() -> str:
    return settings.current().table_name


KEY_ATTRIBUTES = ("PK", "SK", "CHG_PK", "CHG_SK", "OWNER_CHG_PK", "expires_at")


def strip_keys(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in KEY_ATTRIBUTES}


def get_items(account_id: str, sort_keys: list[str]) -> dict[str, dict[str, Any]]:
    """Items of one account by sort key, strongly consistent, keyed by sort key; missing ones absent.

    One BatchGetItem per 100 keys (its limit), and again for the keys it left unprocessed (it may,
    under throttling or past 16 MB).
    """
    client = aws.dynamodb()
    keys = [key(account_pk(account_id), sk) for sk in dict.fromkeys(sort_keys)]
    by_sk: dict[str, dict[str, Any]] = {}
    for first in range(0, len(keys), BATCH_GET_MAX_KEYS):
        request: dict[str, Any] = {name(): {"Keys": keys[first : first + BATCH_GET_MAX_KEYS], "ConsistentRead": True}}
        while request:
            answer = client.batch_get_item(RequestItems=request)
            for item in answer["Responses"][name()]:
                values = from_item(item)
                by_sk[values["SK"]] = strip_keys(values)
            request = answer.get("UnprocessedKeys") or {}
    return by_sk


def get_named(account_id: str, wanted: dict[str, str | None]) -> dict[str, dict[str, Any] | None]:
    """``{name: sort key, or None for nothing}`` read as ``get_items`` does: ``{name: item, or None}``."""
    by_sk = get_items(account_id, [sk for sk in wanted.values() if sk])
    return {name: by_sk.get(sk) if sk else None for name, sk in wanted.items()}


class TransactionCancelled(Exception):
    """The transaction was cancelled; ``reasons`` has one code per item ("None" if fine)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons


def transact(writes: list[dict]) -> None:
    """One TransactWriteItems; TransactionCancelled when a condition (or a concurrent transaction) cancels it."""
    client = aws.dynamodb()
    try:
        client.transact_write_items(TransactItems=writes)
    except client.exceptions.TransactionCanceledException as error:
        reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
        raise TransactionCancelled(reasons) from None
