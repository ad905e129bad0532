"""The read-only Ringio resources (rings, users, the account) and what every Ringio list answers."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler.api_gateway import Response
from pydantic import BaseModel

from ringbridge.account_scope import AccountScope
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.errors import NotFound
from ringbridge.models import ringio_read as ringio

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, UserItem

# --- rings (activities) -------------------------------------------------------------------


def ring_out(activity: "ActivityItem") -> ringio.RingOut:
    user: tuple[ringio.Party, str | None] = ("user", activity.get("user_id"))
    contact: tuple[ringio.Party, str | None] = ("contact", activity.get("contact_id"))
    (from_type, from_id), (to_type, to_id) = (
        (user, contact) if activity.get("direction") == "outbound" else (contact, user)
    )
    duration = activity.get("duration_seconds")
    return ringio.RingOut(
        ring=ringio.RingioRing(
            id=activity["id"],
            from_type=from_type,
            from_id=from_id,
            to_type=to_type,
            to_id=to_id,
            callerid=activity.get("caller_number"),
            called_number=activity.get("called_number"),
            start_time=activity.get("started_at"),
            duration=duration * 1000 if duration is not None else None,
            outcome=_outcome(activity),
            call_recording=f"/ringotel/activities/{activity['id']}/recording" if activity.get("recording") else None,
            last_updated=activity["updated_at"],
            date_created=activity["created_at"],
        )
    )


def _outcome(activity: "ActivityItem") -> str:
    if disposition := activity.get("disposition"):
        return disposition
    if activity.get("status") != "completed":
        return "in_progress"
    cause = activity.get("cause")
    return "completed" if cause in (None, "", "0") else f"ended:{cause}"


def get_ring(scope: AccountScope, ring_id: str) -> ringio.RingOut:
    found = activities_dal.get_activity(scope.account_id, ring_id)
    if found is None:
        raise NotFound("no such ring", field="id")
    return ring_out(found)


def list_rings(scope: AccountScope, limit: int, cursor: str | None) -> tuple[list[ringio.RingOut], str | None]:
    items, next_cursor = activities_dal.list_activities(scope.account_id, limit, cursor)
    return [ring_out(item) for item in items], next_cursor


# --- users and accounts -------------------------------------------------------------------


def user_out(user: "UserItem") -> ringio.UserOut:
    return ringio.UserOut(user=ringio.RingioUser(id=user["id"], email=user.get("email"), name=user["name"]))


def get_user(scope: AccountScope, user_id: str) -> ringio.UserOut:
    found = accounts_dal.get_user(scope.account_id, user_id)
    if found is None:
        raise NotFound("no such user", field="id")
    return user_out(found)


def list_users(scope: AccountScope, limit: int, cursor: str | None) -> tuple[list[ringio.UserOut], str | None]:
    items, next_cursor = contacts_dal.list_page(scope.account_id, "USER#", limit, cursor)
    return [user_out(item) for item in items], next_cursor


def get_account(scope: AccountScope, account_id: str) -> ringio.AccountOut:
    if account_id != scope.account_id:
        raise NotFound("no such account", field="id")
    account = accounts_dal.get_account(account_id)
    return ringio.AccountOut(account=ringio.RingioAccount(id=account["id"], name=account["name"]))


# --- lists --------------------------------------------------------------------------------


def http_lists(wrapped: Sequence[BaseModel], next_cursor: str | None, path: str, query: dict[str, Any]) -> Response:
    """A JSON array of wrapped resources; the next page's cursor rides in headers, since the body is an array.

    ``query`` is the list's own query (limit, filters), repeated in the ``Link`` to the next page.
    """
    headers: dict[str, str] = {}
    if next_cursor:
        following = {name: value for name, value in query.items() if value is not None and name != "cursor"}
        headers["X-Next-Cursor"] = next_cursor
        headers["Link"] = f'<{path}?{urlencode({**following, "cursor": next_cursor})}>; rel="next"'
    return Response(status_code=200, content_type="application/json", body=list(wrapped), headers=headers)
