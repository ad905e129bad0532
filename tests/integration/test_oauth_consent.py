"""The consent page: what it shows, where it sends the browser, its CSRF check (bound to the authorization
request, short-lived, single use) and the throttling of failed sign-ins."""

import base64
import contextlib
import secrets
import shlex
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from ringbridge import aws, clock, settings
from ringbridge.oauth import csrf
from ringbridge.oauth.endpoints import (
    SIGN_IN_FAILURES_PER_ADDRESS,
    SIGN_IN_FAILURES_PER_CLIENT,
    SIGN_IN_WINDOW_SECONDS,
)
from ringbridge_tools.cli import build_parser
from tests.integration.oauth_flow import (  # noqa: F401 - fixtures
    REDIRECT,
    approve,
    authorize_query,
    client_fixture,
    csrf_field,
    decide,
    other_tenant_fixture,
    pkce_pair,
    register,
    send,
    tenant_fixture,
    token_request,
    tokens,
)
from tests.support.api import lambda_answer
from tests.support.dynamodb import account_items


class PageText(HTMLParser):
    """What a person reads on a page: its title (the tab), its text, and what is announced as an alert."""

    VOID = frozenset({"meta", "br", "input", "img", "link", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.title, self.alert = "", ""
        self.words: list[str] = []
        self.token_field: dict[str, str | None] = {}  # the sign-in field's attributes
        self.form: tuple[str | None, str | None] = (None, None)  # where the browser sends it: method, action
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if dict(attrs).get("id") == "api_token":
            self.token_field = dict(attrs)
        if tag == "form":
            self.form = (dict(attrs).get("method"), dict(attrs).get("action"))
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs).get("role")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _ in self.open]
        if "title" in tags:
            self.title += data
        elif "style" not in tags:
            self.words.append(data)
            if any(role == "alert" for _, role in self.open):
                self.alert += data

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())


def assert_error_page(page, message: str) -> None:
    """The page that ends an authorization: what failed, that nothing was authorized, whom to ask."""
    read = PageText(page.body)
    assert (read.title, read.alert) == ("Authorization failed", message)
    assert read.text == (
        f"Authorization failed {message} Nothing was authorized. "
        "Ask the application's administrator to check its OAuth client settings."
    )


UNKNOWN_CLIENT = "Unknown or revoked client: no application is registered with this client_id."
UNREGISTERED_REDIRECT = "The redirect_uri is not one registered for this client."
FORM_REFUSED = "This form expired or was not sent from our page: open the link again."


def test_the_consent_page_names_the_client_the_account_and_the_scope(tenant, client):
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"]))
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "Ringotel" in page.body and "Test account" in page.body and "<strong>rw</strong>" in page.body
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "src=" not in page.body and "href=" not in page.body  # nothing external to load


def test_unknown_client_or_unregistered_redirect_get_an_error_page_never_a_redirect(tenant, client):
    evil = "https://evil.example.net/steal"
    attempts = [
        (authorize_query("rbo_unknown_client", redirect_uri=evil), UNKNOWN_CLIENT),
        (authorize_query("not-even-a-client-id"), UNKNOWN_CLIENT),
        (authorize_query(client["client_id"], redirect_uri=evil), UNREGISTERED_REDIRECT),
        (authorize_query(client["client_id"], redirect_uri=REDIRECT + "/../../evil"), UNREGISTERED_REDIRECT),
        (
            authorize_query(client["client_id"], redirect_uri=REDIRECT + "?next=https://evil.example.net"),
            UNREGISTERED_REDIRECT,
        ),
        (
            authorize_query(
                client["client_id"], redirect_uri="https://ringotel.example.com.evil.example.net/oauth/callback"
            ),
            UNREGISTERED_REDIRECT,
        ),
        (authorize_query(client["client_id"], redirect_uri=REDIRECT.upper()), UNREGISTERED_REDIRECT),
        (authorize_query(client["client_id"], redirect_uri="//evil.example.net"), UNREGISTERED_REDIRECT),
        (authorize_query(None), UNKNOWN_CLIENT),
    ]
    for query, message in attempts:
        for method in ("GET", "POST"):
            if method == "GET":
                page = send("GET", "/oauth/authorize", query=query)
            else:  # a form with a CSRF token made for this very request: the request is what is refused
                token = csrf.new_token(query)
                page = send(
                    "POST",
                    "/oauth/authorize",
                    form={"request": query, "csrf_token": token, "decision": "approve"},
                    cookies=[f"rb_oauth_csrf={token}"],
                )
            assert page.status == 400, (query, page.status, page.body)
            assert "location" not in page.headers
            assert page.headers["content-type"].startswith("text/html")
            assert_error_page(page, message)


def test_several_redirect_uris_need_one_named(tenant):
    client = register(tenant.account_id, REDIRECT, "https://ringotel.example.com/second")
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"], redirect_uri=None))
    assert page.status == 400
    assert_error_page(page, "This client has several redirect URIs: the request must name one (redirect_uri).")


def test_the_single_registered_redirect_uri_is_the_default(tenant, client):
    params = approve(client, tenant.rw_token, redirect_uri=None)
    answer = token_request(client, {"grant_type": "authorization_code", "code": params["code"]})
    assert answer.status == 200, answer.body


def test_other_request_problems_go_back_to_the_client_with_its_state(client):
    for overrides, error in (
        ({"scope": "admin"}, "invalid_scope"),
        ({"scope": "ro rw"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
    ):
        page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"], state="s1", **overrides))
        assert page.status == 302 and page.location.startswith(REDIRECT + "?"), overrides
        assert page.redirect_params()["error"] == error and page.redirect_params()["state"] == "s1"


def test_deny_redirects_with_access_denied_and_needs_no_sign_in(client):
    reply = decide(authorize_query(client["client_id"], state="s2"), "deny", None)
    assert reply.status == 302 and reply.location.startswith(REDIRECT)
    assert reply.redirect_params() == {"error": "access_denied", "state": "s2"}
    # A bare redirect, kept by no cache
    assert (reply.headers, reply.body) == (
        {"location": reply.location, "cache-control": "no-store", "content-type": "text/plain"},
        "",
    )


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("none", "Enter an rw API token of this account to approve."),
        ("absent", "Enter an rw API token of this account to approve."),
        ("wrong", "This API token is not valid."),
        ("ro", "This API token is read-only: approving needs an rw token."),
        ("other_account", "This API token belongs to another account than the one this application asks for."),
        ("access_token", "Sign in with an API token, not an OAuth access token."),
    ],
)
def test_sign_in_refusals_show_the_page_again_with_403(tenant, other_tenant, client, which, expected):
    token = {
        "none": "",
        "absent": None,  # a form without the field at all
        "wrong": tenant.rw_token[:-3] + "abc",
        "ro": tenant.ro_token,
        "other_account": other_tenant.rw_token,
        "access_token": tokens(client, tenant.rw_token)["access_token"] if which == "access_token" else "",
    }[which]
    reply = decide(authorize_query(client["client_id"]), "approve", token)
    assert reply.status == 403 and "location" not in reply.headers
    assert PageText(reply.body).alert == expected
    assert csrf_field(reply.body) and reply.cookies  # a fresh form to try again


def test_a_refusal_describes_the_sign_in_field_and_a_first_page_announces_nothing(tenant, client):
    query = authorize_query(client["client_id"])
    first = PageText(send("GET", "/oauth/authorize", query=query).body)
    refused = PageText(decide(query, "approve", "rbk_not_a_token").body)

    # The refusal is announced, and a screen reader reads it as the sign-in field's description
    assert "not valid" in refused.alert
    assert refused.token_field["aria-describedby"] == "problem"
    # The first page is the same page without it: nothing announced, nothing describing the field, and every
    # word on it (its text nodes, joined by spaces) is the page's own
    assert first.alert == "" and "aria-describedby" not in first.token_field
    assert first.form == refused.form == ("post", "/oauth/authorize")  # where decide() sends the answer
    assert first.text == " ".join(refused.text.replace(" ".join(refused.alert.split()), "").split())
    assert first.text == (
        "Authorize Ringotel Ringotel asks to access the ringbridge account Test account with scope rw : it may read "
        "and change your contacts, organizations and calls, and record calls. Administrator sign-in: an rw API "
        f"token of this account Made with ringbridge admin --local create-token {tenant.account_id} --scope rw . "
        "Needed to approve, not to deny. Approve Deny"
    )


def test_csrf_the_form_needs_its_own_cookie(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query)
    field = csrf_field(page.body)
    form = {"request": query, "csrf_token": field, "decision": "approve", "api_token": tenant.rw_token}
    for cookies in ([], ["rb_oauth_csrf=forged"], [f"rb_oauth_csrf={field}x"]):
        reply = send("POST", "/oauth/authorize", form=form, cookies=cookies)
        assert reply.status == 403 and "location" not in reply.headers, cookies
    # A forged field with the right cookie fails too
    reply = send("POST", "/oauth/authorize", form={**form, "csrf_token": "forged"}, cookies=page.cookies)
    assert reply.status == 403
    # The real pair works
    assert send("POST", "/oauth/authorize", form=form, cookies=page.cookies).status == 302


@pytest.mark.parametrize("proto", ["https", "http"])
def test_the_csrf_cookie_is_httponly_samesite_strict_and_secure_over_https_only(client, proto):
    # Secure over https; over the local server's plain http a browser would not send a Secure cookie back
    headers = {"host": "api.example.com", "x-forwarded-proto": proto}
    answer = lambda_answer("GET", "/oauth/authorize", raw_query=authorize_query(client["client_id"]), headers=headers)
    _, *attributes = (part.strip() for part in answer["cookies"][0].split(";"))
    assert {"HttpOnly", "SameSite=Strict", "Path=/oauth/authorize"} <= set(attributes)
    assert ("Secure" in attributes) == (proto == "https")


def test_a_query_string_that_is_not_url_encoded_is_an_error_page(client):
    page = send("GET", "/oauth/authorize", query="client_id=a b<c>&x=%zz")
    assert page.status == 400 and page.headers["content-type"].startswith("text/html")
    assert_error_page(page, "The request's query string is not URL-encoded.")


def test_the_function_url_shape_works_too(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query, function_url=True)
    assert page.status == 200


def test_an_odd_host_header_changes_nothing(tenant, client):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query, headers={"host": "evil.example.net?<x>#"})
    assert page.status == 200 and "evil" not in page.body


# --- the CSRF token: bound to its request, short-lived, single use ------------------------------------


def post_form(query: str, page, decision: str = "deny", api_token: str | None = None, **kwargs):
    """The consent form of ``page`` sent for ``query`` (which may differ from the page's own request)."""
    form = {"request": query, "csrf_token": csrf_field(page.body), "decision": decision}
    if api_token is not None:
        form["api_token"] = api_token
    return send("POST", "/oauth/authorize", form=form, cookies=page.cookies, **kwargs)


@pytest.mark.parametrize("changed", ["client_id", "redirect_uri", "state", "scope", "code_challenge"])
def test_a_csrf_token_made_for_one_authorization_request_cannot_approve_another(tenant, changed):
    second_uri = "https://ringotel.example.com/second"
    client = register(tenant.account_id, REDIRECT, second_uri)
    other_client = register(tenant.account_id, REDIRECT, second_uri, name="Other app")
    _, challenge = pkce_pair()
    original = {"state": "s1", "scope": "rw", "code_challenge": challenge, "code_challenge_method": "S256"}
    query = authorize_query(client["client_id"], **original)
    page = send("GET", "/oauth/authorize", query=query)
    other_values = {
        "client_id": other_client["client_id"],
        "redirect_uri": second_uri,
        "state": "s2",
        "scope": "ro",
        "code_challenge": pkce_pair()[1],
    }
    other_query = authorize_query(**{"client_id": client["client_id"], **original, changed: other_values[changed]})

    refused = post_form(other_query, page, "approve", tenant.rw_token)

    assert refused.status == 403 and "location" not in refused.headers
    # The form still works for the request it was made for
    assert post_form(query, page, "approve", tenant.rw_token).status == 302


def test_a_csrf_token_tells_an_empty_parameter_from_a_missing_one(tenant, client):
    # A form made for a request with an empty state cannot approve the request without one (whose redirect differs)
    with_empty = authorize_query(client["client_id"], state="")
    page = send("GET", "/oauth/authorize", query=with_empty)
    refused = post_form(authorize_query(client["client_id"], state=None), page, "approve", tenant.rw_token)
    assert refused.status == 403 and "location" not in refused.headers
    assert post_form(with_empty, page, "approve", tenant.rw_token).status == 302


@pytest.mark.parametrize("decision", ["maybe", "", None])
def test_a_decision_that_is_neither_approve_nor_deny_is_an_error_page(client, decision):
    query = authorize_query(client["client_id"])
    page = send("GET", "/oauth/authorize", query=query)
    form = {"request": query, "csrf_token": csrf_field(page.body)}
    if decision is not None:
        form["decision"] = decision
    reply = send("POST", "/oauth/authorize", form=form, cookies=page.cookies)
    assert reply.status == 400 and "location" not in reply.headers
    assert_error_page(reply, "Choose Approve or Deny.")


def test_a_consent_form_works_once(tenant, client):
    query = authorize_query(client["client_id"])
    for decision, api_token in (("deny", None), ("approve", tenant.rw_token)):
        page = send("GET", "/oauth/authorize", query=query)
        assert post_form(query, page, decision, api_token).status == 302
        again = post_form(query, page, decision, api_token)
        assert again.status == 403 and "location" not in again.headers, decision
        assert_error_page(again, FORM_REFUSED)


def test_a_used_forms_record_goes_when_the_form_expires(tenant, client):
    # What keeps a form from working twice is kept as long as the form could work, then DynamoDB's TTL removes it
    query = authorize_query(client["client_id"])
    start = datetime.now(UTC).replace(microsecond=0)
    before = account_items(tenant.account_id, "OAUTHCSRF#")
    with clock.manual(start):
        assert post_form(query, send("GET", "/oauth/authorize", query=query)).status == 302
    [record] = [item for item in account_items(tenant.account_id, "OAUTHCSRF#") if item not in before]
    assert record["expires_at"] == {"N": str(int(start.timestamp()) + csrf.CSRF_SECONDS)}


def test_a_consent_form_expires_after_ten_minutes(client):
    query = authorize_query(client["client_id"])
    # From a whole second, so that ten minutes later is the form's expiry itself, not a fraction past it
    with clock.manual(datetime.now(UTC).replace(microsecond=0)) as time:
        page = send("GET", "/oauth/authorize", query=query)
        time.advance(csrf.CSRF_SECONDS - 1)
        assert post_form(query, page).status == 302
        page = send("GET", "/oauth/authorize", query=query)
        time.advance(csrf.CSRF_SECONDS)
        expired = post_form(query, page)
        assert expired.status == 403
        assert_error_page(expired, FORM_REFUSED)
    assert f"Max-Age={csrf.CSRF_SECONDS}" in _cookie_header(client)


def _cookie_header(client) -> str:
    return lambda_answer("GET", "/oauth/authorize", raw_query=authorize_query(client["client_id"]))["cookies"][0]


def test_the_csrf_key_is_a_securestring_the_first_page_makes(client):
    name = "/ringbridge/oauth/consent-key"
    ssm = aws.ssm()
    query = authorize_query(client["client_id"])
    before = send("GET", "/oauth/authorize", query=query)
    ssm.delete_parameter(Name=name)
    csrf._key.cache_clear()  # a new instance, after the key was deleted

    assert send("GET", "/oauth/authorize", query=query).status == 200

    made = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert made["Type"] == "SecureString"
    assert len(base64.urlsafe_b64decode(made["Value"] + "=")) == 32  # 256 random bits, as documented
    # Forms made under the old key no longer pass
    assert post_form(query, before).status == 403


def test_the_csrf_key_is_the_parameters_secret_value_not_what_a_reader_without_decryption_sees(client, monkeypatch):
    name = "/ringbridge/oauth/consent-key"
    ssm = aws.ssm()
    secret = secrets.token_urlsafe(32)  # an operator's new key
    ssm.put_parameter(Name=name, Value=secret, Type="SecureString", Overwrite=True)
    csrf._key.cache_clear()  # a new instance
    seen_without_decryption = ssm.get_parameter(Name=name, WithDecryption=False)["Parameter"]["Value"]
    assert seen_without_decryption != secret
    query = authorize_query(client["client_id"])

    def form_signed_with(key: str):
        with monkeypatch.context() as forger:
            forger.setattr(csrf, "_key", lambda: key.encode())
            token = csrf.new_token(query)
        form = {"request": query, "csrf_token": token, "decision": "deny"}
        return send("POST", "/oauth/authorize", form=form, cookies=[f"rb_oauth_csrf={token}"])

    # Whoever holds the decrypted key can make a form (the server, as intended) ...
    assert form_signed_with(secret).status == 302
    # ... whoever can only read the parameter, without decrypting it, cannot
    refused = form_signed_with(seen_without_decryption)
    assert refused.status == 403
    assert_error_page(refused, FORM_REFUSED)


def test_two_instances_making_the_first_key_at_once_agree_on_it(client, monkeypatch):
    name = "/ringbridge/oauth/consent-key"
    ssm = aws.ssm()
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=name)
    csrf._key.cache_clear()  # a new instance, which finds no key
    theirs = secrets.token_urlsafe(32)
    made_first = []

    def the_other_instance_puts_first(**_):
        # Between this instance's read (no key) and its put, another instance makes the key
        if not made_first:
            made_first.append(theirs)
            ssm.put_parameter(Name=name, Value=theirs, Type="SecureString")

    query = authorize_query(client["client_id"])
    ssm.meta.events.register("before-call.ssm.PutParameter", the_other_instance_puts_first)
    try:
        page = send("GET", "/oauth/authorize", query=query)
    finally:
        ssm.meta.events.unregister("before-call.ssm.PutParameter", the_other_instance_puts_first)
    assert page.status == 200 and made_first
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == theirs
    # A form the other instance made (under its key) passes here, and this instance's own form too
    with monkeypatch.context() as other_instance:
        other_instance.setattr(csrf, "_key", lambda: theirs.encode())
        token = csrf.new_token(query)
    form = {"request": query, "csrf_token": token, "decision": "deny"}
    assert send("POST", "/oauth/authorize", form=form, cookies=[f"rb_oauth_csrf={token}"]).status == 302
    assert post_form(query, page).status == 302


# --- failed sign-ins are throttled --------------------------------------------------------------------


def window_start() -> datetime:
    """The start of the next throttling window (tests stay within one window until they move the clock)."""
    now = int(datetime.now(UTC).timestamp())
    return datetime.fromtimestamp((now // SIGN_IN_WINDOW_SECONDS + 1) * SIGN_IN_WINDOW_SECONDS, UTC)


@pytest.fixture
def addresses() -> list[str]:
    """Three source addresses of this test's own (IPv6 documentation ones): counters of other tests never mix in."""
    return [f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}" for _ in range(3)]


def wrong(tenant) -> str:
    return tenant.rw_token[:-3] + ("abc" if not tenant.rw_token.endswith("abc") else "xyz")


def sign_in(client, token: str, address: str):
    return decide(authorize_query(client["client_id"]), "approve", token, source_ip=address)


def test_failed_sign_ins_from_one_address_are_throttled_from_the_limit_on(tenant, client, addresses):
    address, other_address, _ = addresses
    with clock.manual(window_start()) as time:
        time.advance(100)
        for _ in range(SIGN_IN_FAILURES_PER_ADDRESS):
            assert sign_in(client, wrong(tenant), address).status == 403

        throttled = sign_in(client, tenant.rw_token, address)  # even the right token

        assert throttled.status == 429 and "location" not in throttled.headers
        assert throttled.headers["retry-after"] == str(SIGN_IN_WINDOW_SECONDS - 100)
        assert "Too many failed sign-ins: try again in 14 minutes." in throttled.body
        assert csrf_field(throttled.body)  # the page again, to try later
        # Another address is not throttled by this one's failures
        assert sign_in(client, tenant.rw_token, other_address).status == 302
        # The next window lets it in again
        time.advance(SIGN_IN_WINDOW_SECONDS - 101)
        assert sign_in(client, tenant.rw_token, address).status == 429
        time.advance(1)
        assert sign_in(client, tenant.rw_token, address).status == 302


@pytest.mark.parametrize(("left", "words"), [(1, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (181, "4 minutes")])
def test_a_throttled_sign_in_says_when_to_try_again_in_minutes_rounded_up(tenant, client, addresses, left, words):
    with clock.manual(window_start()) as time:
        time.advance(SIGN_IN_WINDOW_SECONDS - left)  # `left` seconds before the window ends
        for _ in range(SIGN_IN_FAILURES_PER_ADDRESS):
            assert sign_in(client, wrong(tenant), addresses[0]).status == 403
        throttled = sign_in(client, tenant.rw_token, addresses[0])

    assert (throttled.status, throttled.headers["retry-after"]) == (429, str(left))
    assert PageText(throttled.body).alert == f"Too many failed sign-ins: try again in {words}."


def test_failed_sign_ins_of_one_client_are_throttled_from_any_address(tenant, client, addresses):
    per_address = SIGN_IN_FAILURES_PER_CLIENT // 2
    assert per_address <= SIGN_IN_FAILURES_PER_ADDRESS
    with clock.manual(window_start()):
        for address in addresses[:2]:
            for _ in range(per_address):
                assert sign_in(client, wrong(tenant), address).status == 403

        assert sign_in(client, tenant.rw_token, addresses[2]).status == 429
        # Another client of the account is not throttled by this one's failures
        assert sign_in(register(tenant.account_id), tenant.rw_token, addresses[2]).status == 302


def test_a_windows_sign_in_counters_expire_one_window_after_it_ends(tenant, client, addresses):
    # DynamoDB's TTL removes them then: counters of past windows do not pile up in the account
    start, before = window_start(), account_items(tenant.account_id, "OAUTHSIGNIN#")
    with clock.manual(start) as time:
        time.advance(100)
        assert sign_in(client, wrong(tenant), addresses[0]).status == 403
    counted = [item for item in account_items(tenant.account_id, "OAUTHSIGNIN#") if item not in before]
    expected = int(start.timestamp()) + 2 * SIGN_IN_WINDOW_SECONDS
    assert [(item["attempts"]["N"], item["expires_at"]["N"]) for item in counted] == [("1", str(expected))] * 2


def test_only_failed_sign_ins_count(tenant, client, addresses):
    address = addresses[0]
    with clock.manual(window_start()):
        for _ in range(SIGN_IN_FAILURES_PER_ADDRESS - 1):
            assert sign_in(client, wrong(tenant), address).status == 403
        assert sign_in(client, tenant.rw_token, address).status == 302  # not counted
        assert sign_in(client, wrong(tenant), address).status == 403  # the limit's last failure
        assert sign_in(client, tenant.rw_token, address).status == 429


def test_an_empty_sign_in_is_not_a_guess_and_not_counted(tenant, client, addresses):
    address = addresses[0]
    with clock.manual(window_start()):
        for _ in range(SIGN_IN_FAILURES_PER_ADDRESS + 1):
            assert sign_in(client, "", address).status == 403
        assert sign_in(client, tenant.rw_token, address).status == 302


# --- the sign-in hint ----------------------------------------------------------------------------------


def hinted_command(client) -> str:
    page = send("GET", "/oauth/authorize", query=authorize_query(client["client_id"]))
    start = page.body.index("Made with <code>") + len("Made with <code>")
    return page.body[start : page.body.index("</code>", start)]


@pytest.mark.parametrize(
    ("deployed", "target"), [(False, ["--local"]), (True, ["--stack-name", "crm-prod"])], ids=["local", "deployed"]
)
def test_the_create_token_hint_is_a_command_the_cli_takes_as_printed(tenant, client, monkeypatch, deployed, target):
    if deployed:
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "crm-prod-OAuthAuthorizeFunction-x")
        monkeypatch.setenv("STACK_NAME", "crm-prod")
        settings.reload()
    command = hinted_command(client)
    words = shlex.split(command)

    assert words[0] == "ringbridge"
    assert words == ["ringbridge", "admin", *target, "create-token", tenant.account_id, "--scope", "rw"]
    args = build_parser().parse_args(words[1:])
    assert (args.admin_command, args.account_id, args.scope) == ("create-token", tenant.account_id, "rw")
    assert args.local is not deployed and args.stack_name == ("crm-prod" if deployed else None)
