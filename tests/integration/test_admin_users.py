"""The admin CLI's data rules, against the emulator: unique extensions, valid e-mails, updating and removing users."""

import threading

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import feeds as feeds_dal
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.dal import table
from ringbridge.dal.items import UserItem
from ringbridge.errors import Conflict, InvalidInput, NotFound
from ringbridge.logic import accounts, ringostat_config
from ringbridge_tools import cli
from tests.support.api import call
from tests.support.dynamodb import account_items, dynamodb_hook
from tests.support.tenants import Tenant


def users_by_extension(tenant: Tenant) -> dict[str | None, str]:
    return {user.get("extension"): user["id"] for user in accounts_dal.list_users(tenant.account_id)}


def test_a_second_user_with_the_same_extension_is_refused(tenant: Tenant) -> None:
    # The tenant's user has extension 101
    with pytest.raises(Conflict) as refused:
        accounts.create_user(tenant.account_id, "Second", extension="101")

    assert refused.value.field == "extension"
    assert users_by_extension(tenant) == {"101": tenant.user_id}  # nothing half-written


def test_the_same_extension_in_another_account_is_fine(tenant: Tenant, other_tenant: Tenant) -> None:
    assert accounts.create_user(other_tenant.account_id, "Other", extension="102").extension == "102"
    assert accounts.create_user(tenant.account_id, "Mine", extension="102").extension == "102"


def test_concurrent_users_with_one_extension_only_one_wins(tenant: Tenant) -> None:
    outcomes: list[str] = []

    def create(name: str) -> None:
        try:
            accounts.create_user(tenant.account_id, name, extension="555")
            outcomes.append("created")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(f"User {n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["refused"] * 5
    assert [user.get("extension") for user in accounts_dal.list_users(tenant.account_id)].count("555") == 1


@pytest.mark.parametrize("email", ["olena", "olena@", "@example.com", "olena@example", "o lena@example.com", "a@b@c.d"])
def test_an_invalid_email_is_refused(tenant: Tenant, email: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(tenant.account_id, "Bad Mail", email=email)
    assert refused.value.field == "email"


def test_update_user_moves_the_extension_and_frees_the_old_one(tenant: Tenant) -> None:
    updated = accounts.update_user(tenant.account_id, tenant.user_id, extension="201", email="new@example.com")

    assert (updated.extension, updated.email, updated.name) == ("201", "new@example.com", "Olena Petrenko")
    assert accounts.get_user(tenant.account_id, tenant.user_id) == updated
    # 101 is free again; 201 is taken
    assert accounts.create_user(tenant.account_id, "Newcomer", extension="101").extension == "101"
    with pytest.raises(Conflict):
        accounts.update_user(tenant.account_id, tenant.user_id, extension="101")
    assert accounts.get_user(tenant.account_id, tenant.user_id).extension == "201"  # the refused update changed nothing


def test_an_update_that_keeps_the_extension_keeps_its_claim(tenant: Tenant) -> None:
    updated = accounts.update_user(tenant.account_id, tenant.user_id, email="olena.p@example.com")

    assert (updated.extension, updated.email) == ("101", "olena.p@example.com")
    with pytest.raises(Conflict):
        accounts.create_user(tenant.account_id, "Second", extension="101")


def test_a_user_write_retried_after_it_committed_succeeds_and_another_users_claim_still_refuses(tenant: Tenant) -> None:
    # The SDK retries a TransactWriteItems whose answer was lost; its first attempt may have committed.
    user = accounts_dal.get_user(tenant.account_id, tenant.user_id)
    assert user is not None

    accounts_dal.put_user(tenant.account_id, user)

    assert users_by_extension(tenant) == {"101": tenant.user_id}
    with pytest.raises(accounts_dal.ExtensionTaken):
        accounts_dal.put_user(tenant.account_id, {**user, "id": "01ANOTHERUSER"})
    assert users_by_extension(tenant) == {"101": tenant.user_id}


def test_a_user_created_again_under_its_id_is_refused_by_dynamodb(tenant: Tenant) -> None:
    user = accounts_dal.get_user(tenant.account_id, tenant.user_id)
    assert user is not None

    with pytest.raises(Conflict) as refused:
        accounts_dal.put_user(tenant.account_id, {**user, "name": "Other", "extension": "999"})

    assert (refused.value.message, refused.value.field) == ("the user changed meanwhile: try again", "user_id")

    assert accounts_dal.get_user(tenant.account_id, tenant.user_id) == user
    assert users_by_extension(tenant) == {"101": tenant.user_id}


def test_a_claim_released_between_the_refused_write_and_its_check_answers_try_again(tenant: Tenant) -> None:
    claim = table.key(table.account_pk(tenant.account_id), accounts_dal.extension_sk("101"))

    def release(**_):  # Olena's extension is freed right after our write was refused for it
        aws.dynamodb().delete_item(TableName=table.name(), Key=claim)

    with dynamodb_hook("after-call.dynamodb.TransactWriteItems", release), pytest.raises(Conflict) as refused:
        accounts.create_user(tenant.account_id, "Second", extension="101")

    assert refused.value.field == "extension"
    assert accounts.create_user(tenant.account_id, "Second", extension="101").extension == "101"


def test_a_stale_remove_does_not_release_an_extension_another_user_has_claimed_since(tenant: Tenant) -> None:
    second = accounts_dal.get_user(
        tenant.account_id, accounts.create_user(tenant.account_id, "Second", extension="102").id
    )
    assert second is not None
    # A remover that read "Second" while it still had 101 (before Olena took it)
    stale: UserItem = {**second, "extension": "101"}
    tombstone = feeds_dal.tombstone_put(tenant.account_id, "USER", second["id"], clock.now_iso(), 0)

    with pytest.raises(Conflict):
        accounts_dal.delete_user(tenant.account_id, stale, tombstone)

    assert users_by_extension(tenant) == {"101": tenant.user_id, "102": second["id"]}
    with pytest.raises(Conflict):
        accounts.create_user(tenant.account_id, "Third", extension="101")


@pytest.mark.parametrize("command", [["create-token", "--scope", "ro"], ["create-user", "--name", "Olena"]])
def test_a_token_or_user_for_an_account_that_does_not_exist_is_refused(command, capsys) -> None:
    name, *rest = command
    code = cli.main(["admin", "--table", table.name(), name, "01NOSUCHACCOUNT", *rest])

    assert code == 1
    assert capsys.readouterr().err == "error: no such account (ACCOUNT_ID)\n"
    assert account_items("01NOSUCHACCOUNT") == []


@pytest.mark.parametrize("command", [["revoke-token"], ["set-rate-limit", "5"], ["set-rate-limit", "0"]])
def test_changing_a_token_that_does_not_exist_is_refused_and_writes_nothing(tenant: Tenant, command, capsys) -> None:
    name, *rest = command
    code = cli.main(["admin", "--table", table.name(), name, tenant.account_id, "NOSUCHKEY", *rest])

    assert code == 1
    assert capsys.readouterr().err == "error: no such token (KEY_ID)\n"
    stored = aws.dynamodb().get_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(tenant.account_id), accounts_dal.token_sk("NOSUCHKEY")),
        ConsistentRead=True,
    )
    assert "Item" not in stored


def test_update_user_clears_a_field_with_an_empty_value_and_validates(tenant: Tenant) -> None:
    assert accounts.update_user(tenant.account_id, tenant.user_id, extension="").extension is None
    with pytest.raises(InvalidInput):
        accounts.update_user(tenant.account_id, tenant.user_id, name=" ")
    with pytest.raises(NotFound):
        accounts.update_user(tenant.account_id, "01NOSUCHUSER", name="Nobody")


def test_remove_user_frees_its_extension_and_the_users_feed_reports_it_deleted(tenant: Tenant, monkeypatch) -> None:
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", "0")
    settings.reload()
    since = clock.now_iso()

    accounts.remove_user(tenant.account_id, tenant.user_id)

    with pytest.raises(NotFound):
        accounts.get_user(tenant.account_id, tenant.user_id)
    assert accounts.create_user(tenant.account_id, "Successor", extension="101").extension == "101"
    path = f"/ringio/feeds/accounts/{tenant.account_id}/users"
    answer = call("GET", path, tenant.ro_token, query={"since": since})
    assert answer.status == 200, answer.body
    assert answer.body["deleted"] == [tenant.user_id]
    with pytest.raises(NotFound):
        accounts.remove_user(tenant.account_id, tenant.user_id)


def test_ringostat_remove_deletes_the_config_the_registry_entry_and_the_key(tenant: Tenant) -> None:
    ringostat_config.configure(tenant.account_id, 4242, "secret-key", "ringbridge", "https://crm.example.com/c/{id}")
    parameter = settings.current().ringostat.auth_key_parameter(tenant.account_id)

    ringostat_config.remove(tenant.account_id)

    assert ringostat_config.status(tenant.account_id)[0].config is None
    assert tenant.account_id not in set(ringostat_dal.configured_accounts())
    with pytest.raises(aws.ssm().exceptions.ParameterNotFound):
        aws.ssm().get_parameter(Name=parameter)
    with pytest.raises(NotFound):
        ringostat_config.remove(tenant.account_id)


def test_the_users_feed_answers_410_for_a_since_older_than_its_tombstones(tenant: Tenant) -> None:
    answer = call(
        "GET",
        f"/ringio/feeds/accounts/{tenant.account_id}/users",
        tenant.ro_token,
        query={"since": "2020-01-01T00:00:00Z"},
    )

    assert answer.status == 410
    assert answer.body["error"]["field"] == "since"
