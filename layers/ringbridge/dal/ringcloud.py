"""RingCloud items: per-account config and import status, the registry, the click-to-call slot.

    PK                    SK                    what
    ACCOUNT#<a>           RINGCLOUD#CONFIG      keys (not passwords), time zone, days
    ACCOUNT#<a>           RINGCLOUD#STATUS      the last run, totals, RingCloud user names by extension
    ACCOUNT#<a>           RINGCLOUD#ORIGINATE   when the RW key may start its next call
    RINGCLOUD#ACCOUNTS    <a>                   the registry of configured accounts (dal.registry)

The registry entry is written and removed in the same transaction as the config. Passwords are SSM
SecureStrings (see logic.ringcloud), never items.
"""

from typing import Any

from ringbridge import aws
from ringbridge.dal import registry, table
from ringbridge.dal.activities import call_sk
from ringbridge.dal.ringcloud_spacing import claim_slot
from ringbridge.dal.table import account_pk, key, to_item

CONFIG_SK = "RINGCLOUD#CONFIG"
STATUS_SK = "RINGCLOUD#STATUS"
ORIGINATE_SK = "RINGCLOUD#ORIGINATE"


def put_config(account_id: str, config: dict[str, Any]) -> None:
    """Write the config and the registry entry together."""
    registry.put_config(registry.RINGCLOUD, account_id, CONFIG_SK, config)


def delete_config(account_id: str) -> bool:
    """Remove the config, the status, the slot and the registry entry together; False if none was configured."""
    return registry.delete_config(registry.RINGCLOUD, account_id, CONFIG_SK, STATUS_SK, ORIGINATE_SK)


def configured_accounts() -> list[str]:
    """Every configured account, least recently run first."""
    return registry.accounts(registry.RINGCLOUD)


def get_config_and_status(account_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Both items of an account in one strongly consistent round trip."""
    return registry.config_and_status(account_id, CONFIG_SK, STATUS_SK)


def configs_and_statuses(account_id: str | None) -> list[dict[str, Any]]:
    """The account's config and status, else every configured account's (see registry.configs_and_statuses)."""
    return registry.configs_and_statuses(registry.RINGCLOUD, account_id, CONFIG_SK, STATUS_SK)


def existing_calls(account_id: str, call_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The activities already imported for these call ids, by call id."""
    found = table.get_items(account_id, [call_sk(each) for each in call_ids])
    return {item["call_id"]: item for item in found.values()}


def record_run(account_id: str, outcome: dict[str, Any], success: bool) -> None:
    """The outcome of an account's run (a None value removes the field); totals grow by its counts.

    A failed run keeps the time of the last successful one. The registry entry learns when the run
    started, which orders the next run's accounts.
    """
    counted = {
        "calls_imported_total": outcome["calls_imported"],
        "recordings_stored_total": outcome["recordings_stored"],
    }
    present = {name: value for name, value in outcome.items() if value is not None}
    if success:
        present["last_success_at"] = outcome["last_run_at"]
    names = {f"#{name}": name for name in [*outcome, *present, *counted]}
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in present)
    expression += " ADD " + ", ".join(f"#{name} :{name}" for name in counted)
    absent = [f"#{name}" for name, value in outcome.items() if value is None]
    if absent:
        expression += " REMOVE " + ", ".join(absent)
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), STATUS_SK),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_item({f":{name}": value for name, value in {**present, **counted}.items()}),
    )
    registry.mark_run(registry.RINGCLOUD, account_id, outcome["last_run_at"])


def put_users(account_id: str, users: dict[str, str]) -> None:
    """RingCloud's user names by extension, as GET /v1/users last gave them."""
    aws.dynamodb().update_item(
        TableName=table.name(),
        Key=key(account_pk(account_id), STATUS_SK),
        UpdateExpression="SET #users = :users",
        ExpressionAttributeNames={"#users": "users"},
        ExpressionAttributeValues=to_item({":users": users}),
    )


def take_originate_slot(account_id: str, now_ms: int, window_ms: int) -> int | None:
    """Claim the key's next call slot with one conditional write (atomic across Lambda instances).

    Answers None when this request took the slot; otherwise the epoch ms at which the slot
    frees (another request took it inside the window).
    """
    return claim_slot(account_pk(account_id), ORIGINATE_SK, now_ms, window_ms)
