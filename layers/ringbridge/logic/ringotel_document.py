"""The integration document an administrator pastes into Ringotel's Admin Portal.

Generated from one place (this module) for both the public route and the CLI, so the document
and our endpoints cannot drift apart; a test drives a whole call through it. It holds no secret:
the API key is a property the administrator fills in, referenced as ``$API key$``.

Known from Ringotel's documentation: the top-level id/name/logo/class, ``properties`` used as
``$Label$`` placeholders, the Bearer ``auth`` block, one hook per workflow stage with
``request_method``, a relative ``request_path`` and a ``response_map`` skeleton, and the data
variables ``$user_id$ $contact_id$ $firstname$ $lastname$ $email$ $phone$ $mobile$ $company_name$
$job_title$``. Our inference (see docs/ringotel.md): the shape of a property, where the base URL and
hooks sit (``api_url``, ``api``), ``request_body`` templates, and the call variables.
"""

from typing import Any, Literal

from ringbridge.errors import InvalidInput

AuthKind = Literal["bearer", "basic", "oauth2"]
AUTH_KINDS: tuple[AuthKind, ...] = ("bearer", "basic", "oauth2")
DOCUMENT_ID = "ringbridge"
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="12" fill="#1f6feb"/>'
    '<path d="M20 16h8l4 10-5 3a24 24 0 0 0 8 8l3-5 10 4v8a4 4 0 0 1-4 4A32 32 0 0 1 16 20a4 4 0 0 1 4-4z" '
    'fill="#fff"/></svg>'
)

CONTACT_MAP = {
    "id": "$contact_id$",
    "first_name": "$firstname$",
    "last_name": "$lastname$",
    "job_title": "$job_title$",
    "company_name": "$company_name$",
    "phone": "$phone$",
    "mobile": "$mobile$",
    "email": "$email$",
}
CONTACT_BODY = {
    "first_name": "$firstname$",
    "last_name": "$lastname$",
    "job_title": "$job_title$",
    "company_name": "$company_name$",
    # An unset variable arrives as "": the hooks take a blank value (or list element) as absent.
    "phones": [{"number": "$phone$", "type": "work"}, {"number": "$mobile$", "type": "mobile"}],
    "emails": ["$email$"],
}
ACTIVITY_MAP = {
    "id": "$activity_id$",
    "call_id": "$call_id$",
    "status": "$activity_status$",
    "contact_id": "$contact_id$",
    "user_id": "$user_id$",
}


def _hook(method: str, path: str, response_map: dict[str, Any], body: dict[str, Any] | None = None) -> dict:
    hook: dict[str, Any] = {"request_method": method, "request_path": path}
    if body is not None:
        hook["request_body"] = body
    hook["response_map"] = response_map
    return hook


def hooks() -> dict[str, dict[str, Any]]:
    """One entry per Ringotel workflow stage; paths are relative to ``$API URL$``."""
    activity = "/ringotel/activities/$activity_id$"
    return {
        "Users": _hook(
            "GET",
            "/ringotel/users",
            {
                "users": [
                    {
                        "id": "$user_id$",
                        "first_name": "$firstname$",
                        "last_name": "$lastname$",
                        "email": "$email$",
                        "phone": "$phone$",
                    }
                ]
            },
        ),
        # Without `limit` the lists answer every item in one (gzip-compressed) response: Ringotel
        # never sends a cursor back.
        "Contacts": _hook("GET", "/ringotel/contacts", {"contacts": [CONTACT_MAP]}),
        "Organizations": _hook(
            "GET", "/ringotel/organizations", {"organizations": [{"id": "$organization_id$", "name": "$company_name$"}]}
        ),
        "FindContact": _hook("GET", "/ringotel/contacts/find?phone=$phone$", {"contacts": [CONTACT_MAP]}),
        "CreateContact": _hook("POST", "/ringotel/contacts", CONTACT_MAP, CONTACT_BODY),
        "UpdateContact": _hook("PUT", "/ringotel/contacts/$contact_id$", CONTACT_MAP, CONTACT_BODY),
        "CreateActivity": _hook(
            "POST",
            "/ringotel/activities",
            ACTIVITY_MAP,
            {
                "call_id": "$call_id$",
                "direction": "$direction$",
                "caller_number": "$caller_number$",
                "called_number": "$called_number$",
                "user_id": "$user_id$",
                "started_at": "$call_start$",
            },
        ),
        "AssignActivity": _hook("PUT", f"{activity}/contact", ACTIVITY_MAP, {"contact_id": "$contact_id$"}),
        "UpdateActivity": _hook(
            "PUT",
            activity,
            ACTIVITY_MAP,
            {"subject": "$subject$", "comment": "$comment$", "disposition": "$disposition$"},
        ),
        # By call id: Ringotel always knows it, so a stop that overtakes its start is still recorded.
        "StopCallActivity": _hook(
            "POST",
            "/ringotel/activities/$call_id$/stop",
            {**ACTIVITY_MAP, "ended_at": "$call_end$", "duration_seconds": "$call_duration$"},
            {"ended_at": "$call_end$", "duration_seconds": "$call_duration$", "cause": "$call_cause$"},
        ),
        "UpdateCallRecording": _hook(
            "PUT",
            f"{activity}/recording",
            {**ACTIVITY_MAP, "recording": {"content_type": "$recording_type$", "size_bytes": "$recording_size$"}},
            {"url": "$recording_url$"},
        ),
    }


def _authorization(base: str, kind: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The properties the administrator fills in, and the document's authorization block.

    ``basic``: our Basic auth takes the API key as the user name and ignores the password.
    ``oauth2``: Ringotel's OAuth2 block (authorization-code flow with refresh tokens) with our
    endpoints; it asks for ``rw`` since the hooks create contacts and activities.
    """
    if kind == "bearer":
        return [{"label": "API key", "type": "password", "required": True}], {
            "auth": {"type": "Bearer", "token": "$API key$"}
        }
    if kind == "basic":
        return [{"label": "API key", "type": "password", "required": True}], {
            "auth": {"type": "Basic", "username": "$API key$", "password": "ringbridge"}
        }
    if kind == "oauth2":
        return [
            {"label": "Client ID", "type": "text", "required": True},
            {"label": "Client Secret", "type": "password", "required": True},
        ], {
            "OAuth2": {
                "client_id": "$Client ID$",
                "client_secret": "$Client Secret$",
                "flow_type": {"default": "0"},
                "authorization_endpoint": f"{base}/oauth/authorize",
                "authorization_parameters": {"default": "scope=rw"},
                "token_endpoint": f"{base}/oauth/token",
                "token_parameters": {"content_type": "application/x-www-form-urlencoded;charset=utf-8"},
                "request_auth": "Bearer",
            }
        }
    raise InvalidInput(f"must be one of {', '.join(AUTH_KINDS)}", field="auth")


def integration_document(base_url: str, auth: str = "bearer") -> dict[str, Any]:
    base = base_url.rstrip("/")
    properties, authorization = _authorization(base, auth)
    return {
        "id": DOCUMENT_ID,
        "name": "ringbridge CRM",
        "logo": f"{base}/ringotel/logo.svg",
        "class": "crm",
        "properties": [{"label": "API URL", "type": "text", "required": True, "default": base}, *properties],
        **authorization,
        "api_url": "$API URL$",
        "api": hooks(),
    }


def base_url_of(headers: dict[str, str]) -> str:
    """The API's base URL as the client reached it (API Gateway sets X-Forwarded-Proto: https)."""
    proto = headers.get("x-forwarded-proto", "http").split(",", 1)[0].strip()
    return f"{proto}://{headers.get('host', 'localhost')}"
