"""The consent page: plain, accessible HTML with no external asset, readable on a phone.

CSRF: the page carries a token bound to its authorization request (``ringbridge.oauth.csrf``) in
a hidden field and the same value in a cookie (HttpOnly, SameSite=Strict, path /oauth/authorize).
Another site can make a browser POST but can neither read the field nor send that cookie along.
"""

from html import escape

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from ringbridge import settings

CSRF_COOKIE = "rb_oauth_csrf"
SCOPE_WORDS = {
    "ro": "read your contacts, organizations, users and calls",
    "rw": "read and change your contacts, organizations and calls, and record calls",
}
# No script, no external resource, no framing; the page's own <style> only.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#f6f8fa}
main{max-width:30rem;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.25rem}
h1{font-size:1.3rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=password]{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;
border:1px solid #8c959f;border-radius:6px;min-height:44px}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}
button{font-size:1rem;padding:.65rem 1.2rem;border-radius:6px;border:1px solid #8c959f;background:#fff;min-height:44px}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}
button:focus-visible,input:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.error{border-left:4px solid #cf222e;background:#ffebe9;padding:.5rem .75rem}.hint{color:#57606a;font-size:.9rem}
"""


def csrf_cookie(token: str, secure: bool, max_age: int) -> Cookie:
    """Secure over https; the local server's plain http would not send a Secure cookie back."""
    return Cookie(
        CSRF_COOKIE,
        token,
        path="/oauth/authorize",
        secure=secure,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.STRICT_MODE,
    )


def csrf_cookie_value(cookies: list[str]) -> str:
    return next((c.split("=", 1)[1].strip() for c in cookies if c.strip().startswith(CSRF_COOKIE + "=")), "")


def create_token_command(account_id: str) -> str:
    """The admin CLI command that makes an rw API token of this account, exactly as it is typed.

    Deployed (Lambda sets AWS_LAMBDA_FUNCTION_NAME) it names this stack; otherwise it is the local stack.
    """
    target = f"--stack-name {settings.current().stack_name}" if settings.current().in_lambda else "--local"
    return f"ringbridge admin {target} create-token {account_id} --scope rw"


def _page(title: str, content: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{content}</main></body></html>"
    )


def consent_page(
    *,
    client_name: str,
    account_id: str,
    account_name: str,
    scope: str,
    query: str,
    csrf: str,
    error: str | None = None,
) -> str:
    problem = f'<p class="error" role="alert" id="problem">{escape(error)}</p>' if error else ""
    described = ' aria-describedby="problem"' if error else ""
    return _page(
        f"Authorize {client_name}",
        f"<h1>Authorize {escape(client_name)}</h1>"
        f"<p><strong>{escape(client_name)}</strong> asks to access the ringbridge account "
        f"<strong>{escape(account_name)}</strong> with scope <strong>{escape(scope)}</strong>: "
        f"it may {escape(SCOPE_WORDS.get(scope, scope))}.</p>{problem}"
        '<form method="post" action="/oauth/authorize">'
        f'<input type="hidden" name="request" value="{escape(query)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<label for="api_token">Administrator sign-in: an rw API token of this account</label>'
        f'<input type="password" id="api_token" name="api_token" autocomplete="off"{described}>'
        f'<p class="hint">Made with <code>{escape(create_token_command(account_id))}</code>. '
        "Needed to approve, not to deny.</p>"
        '<div class="actions"><button class="primary" type="submit" name="decision" value="approve">Approve</button>'
        '<button type="submit" name="decision" value="deny">Deny</button></div></form>',
    )


def error_page(message: str) -> str:
    return _page(
        "Authorization failed",
        '<h1>Authorization failed</h1><p class="error" role="alert">'
        f"{escape(message)}</p><p>Nothing was authorized. Ask the application's administrator to check "
        "its OAuth client settings.</p>",
    )
