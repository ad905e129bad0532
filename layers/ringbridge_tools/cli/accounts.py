"""``ringbridge admin``'s accounts, users, API tokens and OAuth2 clients."""

import argparse
import sys
from typing import Any

from ringbridge_tools.cli.common import CommandError, print_json
from ringbridge_tools.cli.targets import use_admin_target


def add_create_account(commands: Any) -> None:
    parser = commands.add_parser("create-account", help="a new account")
    parser.add_argument("--name", required=True)
    parser.add_argument("--region", required=True, help="ISO country code for reading local phone numbers, e.g. UA")
    parser.set_defaults(run=run_create_account)


def run_create_account(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    print_json(accounts.create_account(args.name, args.region).model_dump())
    return 0


def add_create_user(commands: Any) -> None:
    parser = commands.add_parser("create-user", help="a CRM user of an account")
    parser.add_argument("account_id")
    parser.add_argument("--name", required=True)
    parser.add_argument("--email")
    parser.add_argument("--extension", help="unique in the account: Ringotel's calls find the user by it")
    parser.add_argument("--phone")
    parser.set_defaults(run=run_create_user)


def run_create_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    user = accounts.create_user(args.account_id, args.name, args.email, extension=args.extension, phone=args.phone)
    print_json(user.model_dump())
    return 0


def add_update_user(commands: Any) -> None:
    parser = commands.add_parser(
        "update-user", help="change a user's name, e-mail, extension or phone (an empty value clears it)"
    )
    parser.add_argument("account_id")
    parser.add_argument("user_id")
    parser.add_argument("--name")
    parser.add_argument("--email")
    parser.add_argument("--extension", help="unique in the account: Ringotel's calls find the user by it")
    parser.add_argument("--phone")
    parser.set_defaults(run=run_update_user)


def run_update_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    given = {name: getattr(args, name) for name in ("name", "email", "extension", "phone")}
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise CommandError("nothing to change: give --name, --email, --extension or --phone")
    print_json(accounts.update_user(args.account_id, args.user_id, **changes).model_dump())
    return 0


def add_remove_user(commands: Any) -> None:
    parser = commands.add_parser("remove-user", help="delete a user (the Ringio users feed reports it deleted)")
    parser.add_argument("account_id")
    parser.add_argument("user_id")
    parser.set_defaults(run=run_remove_user)


def run_remove_user(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    removed = accounts.remove_user(args.account_id, args.user_id)
    print_json({"account_id": args.account_id, "user_id": removed.id, "removed": True})
    return 0


def add_create_token(commands: Any) -> None:
    parser = commands.add_parser("create-token", help="a new API token (shown once)")
    parser.add_argument("account_id")
    parser.add_argument("--scope", required=True, choices=["ro", "rw"], help="ro: reads only; rw: reads and writes")
    parser.add_argument("--rate-limit", type=int, help="at most N requests a minute (429 over it; default: none)")
    parser.set_defaults(run=run_create_token)


def run_create_token(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    key_id, token = accounts.create_token(args.account_id, args.scope, args.rate_limit)
    print_json(
        {
            "account_id": args.account_id,
            "key_id": key_id,
            "scope": args.scope,
            "rate_limit_per_minute": args.rate_limit or None,
            "token": token,
        }
    )
    print("Keep the token now: only its hash is stored, so it cannot be shown again.", file=sys.stderr)
    return 0


def add_revoke_token(commands: Any) -> None:
    parser = commands.add_parser("revoke-token", help="revoke an API token by its key id")
    parser.add_argument("account_id")
    parser.add_argument("key_id")
    parser.set_defaults(run=run_revoke_token)


def run_revoke_token(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.logic import accounts

    accounts.revoke_token(args.account_id, args.key_id)
    print_json({"account_id": args.account_id, "key_id": args.key_id, "revoked": True})
    print(
        "Warm functions that verified this token may accept it"
        f" for up to {settings.current().auth_cache_seconds:g} s more.",
        file=sys.stderr,
    )
    return 0


def add_set_rate_limit(commands: Any) -> None:
    parser = commands.add_parser("set-rate-limit", help="change a token's requests-a-minute limit (0: none)")
    parser.add_argument("account_id")
    parser.add_argument("key_id")
    parser.add_argument("rate_limit", type=int, help="at most N requests a minute; 0 removes the limit")
    parser.set_defaults(run=run_set_rate_limit)


def run_set_rate_limit(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.logic import accounts

    accounts.set_token_rate_limit(args.account_id, args.key_id, args.rate_limit)
    print_json({"account_id": args.account_id, "key_id": args.key_id, "rate_limit_per_minute": args.rate_limit or None})
    print(f"Warm functions apply it within {settings.current().auth_cache_seconds:g} s.", file=sys.stderr)
    return 0


def add_list_tokens(commands: Any) -> None:
    parser = commands.add_parser("list-tokens", help="an account's tokens (ids, scopes, dates; never secrets)")
    parser.add_argument("account_id")
    parser.set_defaults(run=run_list_tokens)


def run_list_tokens(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.logic import accounts

    accounts.get_account(args.account_id)  # an unknown account is an error, not an empty list
    print_json(accounts.list_tokens(args.account_id))
    return 0


def add_create_oauth_client(commands: Any) -> None:
    parser = commands.add_parser("create-oauth-client", help="register an OAuth2 client (its secret is shown once)")
    parser.add_argument("account_id")
    parser.add_argument("--name", required=True, help="shown on the consent page, e.g. Ringotel")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        required=True,
        help="where the client receives codes (exact match; repeat for several)",
    )
    parser.add_argument(
        "--require-pkce",
        action="store_true",
        help="refuse authorization requests without an S256 code_challenge (default: PKCE optional, "
        "as phone systems' OAuth clients often do not send it)",
    )
    parser.set_defaults(run=run_create_oauth_client)


def run_create_oauth_client(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.oauth import clients

    print_json(clients.create_client(args.account_id, args.name, args.redirect_uri, args.require_pkce))
    print("Keep the client secret now: only its hash is stored, so it cannot be shown again.", file=sys.stderr)
    return 0


def add_list_oauth_clients(commands: Any) -> None:
    parser = commands.add_parser("list-oauth-clients", help="an account's OAuth2 clients (never secrets)")
    parser.add_argument("account_id")
    parser.set_defaults(run=run_list_oauth_clients)


def run_list_oauth_clients(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge.oauth import clients

    print_json(clients.list_clients(args.account_id))
    return 0


def add_revoke_oauth_client(commands: Any) -> None:
    parser = commands.add_parser("revoke-oauth-client", help="revoke an OAuth2 client and every token it holds")
    parser.add_argument("account_id")
    parser.add_argument("client_id")
    parser.set_defaults(run=run_revoke_oauth_client)


def run_revoke_oauth_client(args: argparse.Namespace) -> int:
    use_admin_target(args)
    from ringbridge import settings
    from ringbridge.oauth import clients

    clients.revoke_client(args.account_id, args.client_id)
    print_json({"account_id": args.account_id, "client_id": args.client_id, "revoked": True})
    print(
        "Warm functions that verified its tokens may accept them"
        f" for up to {settings.current().auth_cache_seconds:g} s more.",
        file=sys.stderr,
    )
    return 0
