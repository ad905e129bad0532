"""The three OAuth2 endpoints on a Lambda HTTP event: oauthlib's answers turned into responses.

oauthlib reads only the query of the URI it is given and refuses any that is not https; so it is
given a fixed https origin (API Gateway and function URLs serve HTTPS only) rather than the
request's Host header, which is the client's to write.
"""

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.shared.cookies import Cookie
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from oauthlib.common import add_params_to_uri, urldecode
from oauthlib.oauth2.rfc6749 import errors

from ringbridge import auth, clock, http, tokens
from ringbridge.caller import Caller
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import oauth as dal
from ringbridge.errors import Forbidden, TooManyRequests
from ringbridge.oauth import consent, csrf
from ringbridge.oauth.server import Client, server

HTML = "text/html; charset=utf-8"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
AUTHORIZE_PATH = "/oauth/authorize"
# RFC 7636 §4.2 with S256: the BASE64URL (unpadded) of a SHA-256, always 43 characters.
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
# Failed consent sign-ins allowed per fixed window, before every attempt (right or wrong) answers 429.
SIGN_IN_WINDOW_SECONDS = 900
SIGN_IN_FAILURES_PER_CLIENT = 20
SIGN_IN_FAILURES_PER_ADDRESS = 10


def _uri(path: str, query: str = "") -> str:
    return f"https://ringbridge.invalid{path}" + (f"?{query}" if query else "")


def _html(
    status: int, body: str, cookies: list[Cookie] | None = None, headers: dict[str, str] | None = None
) -> Response[str]:
    all_headers = {**consent.HEADERS, **(headers or {})}
    return Response(status_code=status, content_type=HTML, body=body, headers=all_headers, cookies=cookies)


def _redirect(location: str) -> Response[str]:
    headers = {"Location": location, "Cache-Control": "no-store"}
    return Response(status_code=302, content_type="text/plain", body="", headers=headers)


def _body(event: APIGatewayProxyEventV2) -> str:
    """The form body as text; bytes that are not UTF-8 become U+FFFD (and then fail as bad parameters)."""
    return http.decoded_body(event.raw_event).decode("utf-8", "replace")


def _client_form(event: APIGatewayProxyEventV2) -> tuple[str, dict[str, str]]:
    """A token or revocation request's body (text and parameters), or invalid_request when it is unreadable:
    not a form (JSON, multipart), not UTF-8, not URL-encoded (RFC 6749 §3.2, §4.1.3)."""
    media = (event.headers.get("content-type") or FORM).split(";", 1)[0].strip().lower()
    if media != FORM:
        raise errors.InvalidRequestError(description=f"The body must be {FORM}, not {media}.")
    try:
        text = http.decoded_body(event.raw_event).decode("utf-8")
        params = dict(urldecode(text))
    except UnicodeDecodeError:
        raise errors.InvalidRequestError(description="The body is not UTF-8 text.") from None
    except ValueError:
        raise errors.InvalidRequestError(description="The body is not URL-encoded form data.") from None
    return text, params


def _checked(event: APIGatewayProxyEventV2, query: str) -> tuple[list[str], dict[str, Any]] | Response[str]:
    """oauthlib's validation of an authorization request: its scopes and details, or the answer to give.

    An unknown client or an unregistered redirect URI gets an error page: redirecting there
    would make us an open redirector. Any other problem goes back to the client's redirect URI.
    """
    try:
        urldecode(query)
    except ValueError:
        return _html(400, consent.error_page("The request's query string is not URL-encoded."))
    try:
        scopes, details = server().validate_authorization_request(
            _uri(AUTHORIZE_PATH, query), "GET", None, event.headers
        )
    except errors.FatalClientError as error:
        return _html(400, consent.error_page(_fatal_message(error)))
    except errors.OAuth2Error as error:
        if not error.redirect_uri:
            return _html(400, consent.error_page(f"Invalid authorization request: {error.description}"))
        return _redirect(_with_error(error.redirect_uri, error))
    challenge = details.get("code_challenge")
    problem = None
    if challenge is not None and details.get("code_challenge_method") != "S256":
        # RFC 7636 allows "plain"; it protects nothing against a code seen in transit, so we take S256 only.
        problem = "code_challenge_method must be S256"
    elif challenge is not None and not S256_CHALLENGE.fullmatch(challenge):
        problem = "code_challenge must be the 43-character BASE64URL of the code_verifier's SHA-256 (RFC 7636 §4.2)"
    if problem:
        refused = errors.InvalidRequestError(description=problem, state=details.get("state"))
        return _redirect(_with_error(details["redirect_uri"], refused))
    return scopes, details


def _with_error(redirect_uri: str, error: errors.OAuth2Error) -> str:
    return add_params_to_uri(redirect_uri, [(name, value) for name, value in error.twotuples if value is not None])


def _fatal_message(error: errors.FatalClientError) -> str:
    if isinstance(error, errors.InvalidClientIdError | errors.MissingClientIdError):
        return "Unknown or revoked client: no application is registered with this client_id."
    if isinstance(error, errors.MismatchingRedirectURIError | errors.InvalidRedirectURIError):
        return "The redirect_uri is not one registered for this client."
    if isinstance(error, errors.MissingRedirectURIError):
        return "This client has several redirect URIs: the request must name one (redirect_uri)."
    return f"Invalid authorization request: {error.description}"


def authorize_page(event: APIGatewayProxyEventV2) -> Response[str]:
    """GET /oauth/authorize: the consent page, with a fresh CSRF token."""
    checked = _checked(event, event.raw_query_string or "")
    if isinstance(checked, Response):
        return checked
    return _consent(event, checked, event.raw_query_string or "", status=200)


def _consent(
    event: APIGatewayProxyEventV2,
    checked: tuple[list[str], dict[str, Any]],
    query: str,
    *,
    status: int,
    error: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    scopes, details = checked
    client = details["request"].client
    account = accounts_dal.get_account(client.ref.account_id)
    token = csrf.new_token(query)
    secure = event.headers.get("x-forwarded-proto", "http").startswith("https")
    page = consent.consent_page(
        client_name=client.name,
        account_id=client.ref.account_id,
        account_name=account["name"],
        scope=scopes[0],
        query=query,
        csrf=token,
        error=error,
    )
    return _html(status, page, cookies=[consent.csrf_cookie(token, secure, csrf.CSRF_SECONDS)], headers=headers)


def authorize_decision(event: APIGatewayProxyEventV2) -> Response[str]:
    """POST /oauth/authorize: the administrator's answer on the consent page."""
    form = dict(parse_qsl(_body(event), keep_blank_values=True))
    query = form.get("request", "")
    cookie = consent.csrf_cookie_value(event.cookies or [])
    token = csrf.checked_nonce(cookie, form.get("csrf_token", ""), query)
    if token is None:
        return _csrf_refused()
    checked = _checked(event, query)
    if isinstance(checked, Response):
        return checked
    scopes, details = checked
    client: Client = details["request"].client
    nonce, expires = token
    if not dal.use_once(client.ref.account_id, dal.csrf_sk(client.ref.client_key, nonce), expires):
        return _csrf_refused()  # this form was sent before
    if form.get("decision") == "deny":
        return _redirect(_with_error(details["redirect_uri"], errors.AccessDeniedError(state=details.get("state"))))
    if form.get("decision") != "approve":
        return _html(400, consent.error_page("Choose Approve or Deny."))
    try:
        caller = _signed_in(client, form.get("api_token", "").strip(), event.request_context.http.source_ip)
    except TooManyRequests as throttled:
        retry = {"Retry-After": str(throttled.retry_after)}
        return _consent(event, checked, query, status=429, error=throttled.message, headers=retry)
    except Forbidden as refused:
        return _consent(event, checked, query, status=403, error=refused.message)
    headers, _, _ = server().create_authorization_response(
        _uri(AUTHORIZE_PATH, query), "GET", None, event.headers, scopes, {"approved_by": caller.key_id}
    )
    return _redirect(headers["Location"])


def _csrf_refused() -> Response[str]:
    return _html(403, consent.error_page("This form expired or was not sent from our page: open the link again."))


def _signed_in(client: Client, token: str, address: str) -> Caller:
    """The administrator signing in, throttled: a failed sign-in counts against the client and the source
    address in a fixed window; once either is at its limit, every attempt answers 429 until the window ends."""
    if not token:
        raise Forbidden("Enter an rw API token of this account to approve.")  # no guess: not counted
    now = clock.now().timestamp()
    window = int(now // SIGN_IN_WINDOW_SECONDS)
    window_end = (window + 1) * SIGN_IN_WINDOW_SECONDS
    counters = {
        dal.sign_in_client_sk(client.ref.client_key, window): SIGN_IN_FAILURES_PER_CLIENT,
        dal.sign_in_address_sk(address, window): SIGN_IN_FAILURES_PER_ADDRESS,
    }
    account_id = client.ref.account_id
    if not dal.reserve_attempt(account_id, counters, expires_at=window_end + SIGN_IN_WINDOW_SECONDS):
        minutes = -(-(window_end - int(now)) // 60)
        raise TooManyRequests(
            f"Too many failed sign-ins: try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            retry_after=max(1, window_end - int(now)),
        )
    caller = _administrator(token, account_id)  # a refusal leaves the attempt counted
    dal.release_attempt(account_id, list(counters))
    return caller


def _administrator(token: str, account_id: str) -> Caller:
    """The API token signing in: an rw one of the client's own account (an OAuth token will not do)."""
    if tokens.is_access_token(token):
        raise Forbidden("Sign in with an API token, not an OAuth access token.")
    try:
        caller = auth.verify(token)
    except Forbidden:
        raise Forbidden("This API token is not valid.") from None
    if caller.account_id != account_id:
        raise Forbidden("This API token belongs to another account than the one this application asks for.")
    if caller.scope != "rw":
        raise Forbidden("This API token is read-only: approving needs an rw token.")
    return caller


def token(event: APIGatewayProxyEventV2) -> Response[str]:
    """POST /oauth/token (RFC 6749 §4.1.3, §6)."""
    try:
        text, params = _client_form(event)
        if not params.get("grant_type"):
            raise errors.InvalidRequestError(description="Missing grant_type parameter.")
        headers, body, status = server().create_token_response(_uri("/oauth/token"), "POST", text, event.headers)
    except errors.OAuth2Error as error:  # ours, and the validator's from within oauthlib
        return _oauth_json(error.headers, error.json, error.status_code)
    return _oauth_json(headers, body, status)


def revoke(event: APIGatewayProxyEventV2) -> Response[str]:
    """POST /oauth/revoke (RFC 7009)."""
    try:
        text, _ = _client_form(event)
        headers, body, status = server().create_revocation_response(_uri("/oauth/revoke"), "POST", text, event.headers)
    except errors.OAuth2Error as error:
        return _oauth_json(error.headers, error.json, error.status_code)
    return _oauth_json(headers, body or "{}", status)


def _oauth_json(headers: dict[str, str], body: str, status: int) -> Response[str]:
    answer = {**headers, "Cache-Control": "no-store"}
    if status == 401:
        # The client authenticates with HTTP Basic or in the body (RFC 6749 §5.2): Basic, not oauthlib's Bearer.
        answer["WWW-Authenticate"] = 'Basic realm="ringbridge"'
    json.loads(body)  # oauthlib answers JSON; fail loudly here if that ever changes
    return Response(status_code=status, content_type=JSON, body=body, headers=answer)
