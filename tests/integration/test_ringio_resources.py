"""Ringio rings (the call activities), users and accounts: read-only, in-process against the emulator."""

from ringbridge.dal import activities as activities_dal
from ringbridge.logic import activities
from ringbridge.models.activities import ActivityCreate, ActivityStop, ActivityUpdate
from ringbridge_tools.local import lambdas
from tests.support.api import call, new_ringio_contact


def ringio_contact(tenant, phone):
    return new_ringio_contact(tenant, data=[{"type": "telephone", "value": phone}])["id"]


def test_an_inbound_call_is_a_ring_from_the_contact_to_the_user(tenant):
    # Given a contact, and a call from its number that the Ringotel workflow recorded and stopped
    contact_id = ringio_contact(tenant, "0441111111")
    activity, _ = activities.create_activity(
        tenant.scope,
        ActivityCreate(
            call_id="1729693708182-2d1c3de3d3772cdc1f",
            direction="inbound",
            caller_number="380441111111",
            called_number="101",
            user_id=tenant.user_id,
            started_at="2026-11-23T10:00:00Z",
        ),
    )
    activities.stop_activity(
        tenant.scope, activity.id, ActivityStop(ended_at="2026-11-23T10:01:05Z", duration_seconds=65)
    )
    # When it is read as a ring
    answer = call("GET", f"/ringio/rings/{activity.id}", tenant.ro_token)
    # Then it has Ringio's ring shape: from the contact to the user, duration in milliseconds
    assert answer.status == 200 and list(answer.body) == ["ring"]
    ring = answer.body["ring"]
    assert (ring["from_type"], ring["from_id"], ring["to_type"], ring["to_id"]) == (
        "contact",
        contact_id,
        "user",
        tenant.user_id,
    )
    assert (ring["callerid"], ring["called_number"]) == ("380441111111", "101")
    assert ring["start_time"] == "2026-11-23T10:00:00.000Z" and ring["duration"] == 65_000
    assert (ring["kind"], ring["outcome"], ring["call_recording"]) == ("call", "completed", None)


def test_an_outbound_call_is_a_ring_from_the_user_and_its_disposition_is_the_outcome(tenant):
    activity, _ = activities.create_activity(
        tenant.scope,
        ActivityCreate(
            call_id="out-1",
            direction="outbound",
            caller_number="101",
            called_number="+380501234567",
            user_id=tenant.user_id,
        ),
    )
    ring = call("GET", f"/ringio/rings/{activity.id}", tenant.ro_token).body["ring"]
    assert (ring["from_type"], ring["from_id"], ring["to_type"], ring["to_id"]) == (
        "user",
        tenant.user_id,
        "contact",
        None,
    )
    assert ring["outcome"] == "in_progress" and ring["duration"] is None
    activities.update_activity(tenant.scope, activity.id, ActivityUpdate(disposition="voicemail"))
    assert call("GET", f"/ringio/rings/{activity.id}", tenant.ro_token).body["ring"]["outcome"] == "voicemail"


def test_a_recorded_call_points_at_its_recording(tenant):
    activity, _ = activities.create_activity(
        tenant.scope, ActivityCreate(call_id="rec-1", direction="inbound", caller_number="0441111111")
    )
    recording = {"key": "k", "content_type": "audio/mpeg", "size_bytes": 10, "uploaded_at": "2026-11-23T10:00:00.000Z"}
    activities.set_recording(tenant.scope, activities_dal.get_activity(tenant.account_id, activity.id), recording)
    ring = call("GET", f"/ringio/rings/{activity.id}", tenant.ro_token).body["ring"]
    assert ring["call_recording"] == f"/ringotel/activities/{activity.id}/recording"


def test_rings_are_listed_oldest_first_page_by_page_and_are_read_only(tenant, other_tenant):
    made = [
        activities.create_activity(
            tenant.scope, ActivityCreate(call_id=f"call-{index}", direction="inbound", caller_number="0441111111")
        )[0].id
        for index in range(3)
    ]
    first = call("GET", "/ringio/rings", tenant.ro_token, query={"limit": "2"})
    rest = call("GET", "/ringio/rings", tenant.ro_token, query={"limit": "2", "cursor": first.headers["x-next-cursor"]})
    assert [item["ring"]["id"] for item in first.body + rest.body] == made
    # Another account's ring is 404; rings cannot be written through the Ringio API
    assert call("GET", f"/ringio/rings/{made[0]}", other_tenant.ro_token).status == 404
    assert call("GET", "/ringio/rings", other_tenant.ro_token).body == []
    for method in ("POST", "PUT", "DELETE"):
        assert lambdas.route(method, f"/ringio/rings/{made[0]}")[0].logical_id == "NoRouteFunction"  # 405
        assert lambdas.route(method, "/ringio/rings")[0].logical_id == "NoRouteFunction"


def test_users_and_the_callers_own_account(tenant, other_tenant):
    users = call("GET", "/ringio/users", tenant.ro_token)
    assert users.status == 200
    assert users.body == [{"user": {"id": tenant.user_id, "email": "olena@example.com", "name": "Olena Petrenko"}}]
    user = call("GET", f"/ringio/users/{tenant.user_id}", tenant.ro_token)
    assert user.body == users.body[0]
    account = call("GET", f"/ringio/accounts/{tenant.account_id}", tenant.ro_token)
    assert account.status == 200 and account.body == {"account": {"id": tenant.account_id, "name": "Test account"}}
    # Another account, and its user, are 404 like missing ones
    assert call("GET", f"/ringio/accounts/{other_tenant.account_id}", tenant.ro_token).status == 404
    assert call("GET", "/ringio/accounts/01NOSUCHACCOUNT", tenant.ro_token).status == 404
    assert call("GET", f"/ringio/users/{other_tenant.user_id}", tenant.ro_token).status == 404
