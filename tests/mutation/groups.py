"""The groups `make mutate` runs one at a time: each group's modules and the tests that may kill their mutants.

mutmut runs, for each mutant, every selected test that reaches the mutated function. Over all modules at once
that is every test reaching it: all 1,200 for a function of the settings or the caller, and the whole set needs
4 to 5 hours on a 2-core machine. Here each group selects the tests of its own area (its unit tests and the
integration tests of what its modules do), so that a surviving mutant costs seconds, not minutes. A selection
too narrow lets a mutant survive that another test would kill: a group names every test file that checks what
its modules promise, not only the ones that import them.

Modules are paths under layers/ringbridge/; tests are paths from the project's root. Every module of
`[tool.mutmut]`'s only_mutate (pyproject.toml) is in exactly one group (tests/unit/test_mutation_groups.py).
The checks of the repository's own files (the docs, the Makefile, the import contracts, the artifact's build) are
in no group: they read no mutated code, and mutants/ holds only the code and the tests.

The order is the order `make mutate` runs them in: the modules issue 22 added or split out first, smallest first.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    modules: tuple[str, ...]
    tests: tuple[str, ...]


U = "tests/unit/"
IT = "tests/integration/"

# What most vendor modules share: the fake vendors' integration tests.
RINGCLOUD_TESTS = (
    f"{IT}test_ringcloud.py",
    f"{IT}test_ringcloud_hostile.py",
    f"{IT}test_ringcloud_vendor_failures.py",
    f"{IT}test_ringcloud_spacing.py",
    f"{IT}test_click_to_call_policy.py",
    f"{IT}test_local_vendors.py",
)
OAUTH_TESTS = (
    f"{U}test_oauth_credentials.py",
    f"{IT}test_oauth.py",
    f"{IT}test_oauth_consent.py",
    f"{IT}test_oauth_parameters.py",
    f"{IT}test_oauth_pkce.py",
    f"{IT}test_oauth_token_endpoint.py",
    f"{IT}test_documented_headers.py",
    # A deleted account's clients and tokens stop.
    f"{IT}test_account_deletion.py",
)
RECORDING_TESTS = (
    f"{U}test_recording_rules.py",
    f"{IT}test_ringotel_recordings.py",
    f"{IT}test_recording_limits.py",
    f"{IT}test_recording_requests.py",
)

GROUPS: dict[str, Group] = {
    # The retry policy and the vendors' HTTP: their unit tests, a vendor's key redacted from its refusal (the
    # Ringostat payloads' unit tests), the vendors' failures and retries, writes that lost a race.
    "retry": Group(
        modules=("retry.py", "vendor_http.py"),
        tests=(
            f"{U}test_retry.py",
            f"{U}test_ringostat_payloads.py",
            f"{IT}test_ringcloud_vendor_failures.py",
            f"{IT}test_ringcloud.py",
            f"{IT}test_local_vendors.py",
            f"{IT}test_ringostat_sync.py",
            f"{IT}test_ringostat_push.py",
            f"{IT}test_stale_writes.py",
        ),
    ),
    # The settings: their parsing and bounds, the deployed defaults, and the tests of what a setting changes
    # (the token cache, a recording's size limit, the metrics' names, OAuth2 token lifetimes, the feeds' lag).
    "settings": Group(
        modules=("settings.py",),
        tests=(
            f"{U}test_settings.py",
            f"{U}test_deployed_defaults.py",
            f"{U}test_routes.py",
            f"{U}test_ringostat_payloads.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_admin_users.py",
            f"{IT}test_rate_limits.py",
            f"{IT}test_token_cache.py",
            f"{IT}test_recording_limits.py",
            f"{IT}test_metrics.py",
            f"{IT}test_oauth.py",
            f"{IT}test_feeds.py",
            f"{IT}test_ringcloud_vendor_failures.py",
        ),
    ),
    # Which accounts have a vendor configured, and the vendors' keys in SSM: the config commands, a deletion.
    "vendor-config": Group(
        modules=("dal/registry.py", "dal/secrets.py"),
        tests=(
            f"{IT}test_vendor_config.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_account_deletion.py",
            f"{IT}test_account_export.py",
            *RINGCLOUD_TESTS,
            f"{IT}test_ringostat_sync.py",
            f"{IT}test_ringostat_push.py",
        ),
    ),
    # RingCloud's configuration and click-to-call's stored state.
    "ringcloud": Group(
        modules=("logic/ringcloud.py", "dal/ringcloud.py"),
        tests=(
            *RINGCLOUD_TESTS,
            f"{IT}test_fake_ringcloud_oracle.py",
            f"{IT}test_vendor_config.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_account_deletion.py",
            f"{IT}test_account_export.py",
        ),
    ),
    "click-to-call": Group(
        modules=("logic/click_to_call.py",),
        tests=(
            f"{IT}test_click_to_call_policy.py",
            f"{IT}test_ringcloud.py",
            f"{IT}test_ringcloud_vendor_failures.py",
            f"{IT}test_local_vendors.py",
        ),
    ),
    # RingCloud's client and its spacing, claimed in DynamoDB; the fake's oracle is RingCloud's own client.
    "ringcloud-client": Group(
        modules=("ringcloud_client.py", "dal/ringcloud_spacing.py"),
        tests=(*RINGCLOUD_TESTS, f"{IT}test_fake_ringcloud_oracle.py"),
    ),
    # The token check and its parts: tokens' formats (API tokens, OAuth2 codes and tokens), the caller, the write
    # check (a read-only token's writes refused), the rate limits, the webhook's own token.
    "token-check": Group(
        modules=("account_scope.py", "caller.py", "rate_limit.py", "tokens.py", "auth.py"),
        tests=(
            f"{U}test_auth.py",
            f"{U}test_oauth_credentials.py",
            f"{IT}test_rate_limits.py",
            f"{IT}test_token_cache.py",
            f"{IT}test_admin_users.py",
            f"{IT}test_bad_input.py",
            f"{IT}test_metrics.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_oauth.py",
            f"{IT}test_oauth_pkce.py",
            f"{IT}test_oauth_token_endpoint.py",
            f"{IT}test_ringio_contacts.py",
            f"{IT}test_ringotel_contacts.py",
            f"{IT}test_ringotel_webhook.py",
        ),
    ),
    # The RingCloud import, its failure log, and what both vendors share: the per-account loop and states.
    "ringcloud-import": Group(
        modules=("logic/ringcloud_import.py", "logic/ringcloud_failures.py", "logic/per_account.py"),
        tests=(
            f"{U}test_ringcloud_read.py",
            f"{U}test_per_account.py",
            f"{IT}test_ringcloud.py",
            f"{IT}test_ringcloud_hostile.py",
            f"{IT}test_ringcloud_vendor_failures.py",
            f"{IT}test_ringostat_sync.py",
            f"{IT}test_ringostat_push.py",
            f"{IT}test_vendor_config.py",  # what each account's stored state shows (per_account.states)
        ),
    ),
    # The Ringostat sync: its configuration, payloads, sender and stored state; erasure deletes from Ringostat.
    "ringostat": Group(
        modules=(
            "logic/ringostat_config.py",
            "logic/ringostat_payloads.py",
            "logic/ringostat_sender.py",
            "logic/ringostat_sync.py",
            "dal/ringostat.py",
        ),
        tests=(
            f"{U}test_ringostat_payloads.py",
            f"{IT}test_ringostat_sync.py",
            f"{IT}test_ringostat_push.py",
            f"{IT}test_vendor_config.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_account_deletion.py",
            f"{IT}test_account_export.py",
            f"{IT}test_erasure.py",
        ),
    ),
    "ringostat-push": Group(
        modules=("logic/ringostat_push.py",),
        tests=(f"{U}test_stream_filters.py", f"{IT}test_ringostat_push.py"),
    ),
    # The OAuth2 server: its logic, then its endpoints, then its stored codes, tokens and clients.
    "oauth": Group(
        modules=(
            "oauth/__init__.py",
            "oauth/clients.py",
            "oauth/consent.py",
            "oauth/csrf.py",
            "oauth/refusals.py",
            "oauth/server.py",
        ),
        tests=OAUTH_TESTS,
    ),
    "oauth-endpoints": Group(modules=("oauth/endpoints.py",), tests=OAUTH_TESTS),
    "oauth-dal": Group(modules=("dal/oauth.py",), tests=(*OAUTH_TESTS, f"{IT}test_stale_writes.py")),
    # Recording retention: the sweep, its cursors, and the deletion of a recording's objects.
    "recording-retention": Group(
        modules=("logic/recording_retention.py", "dal/recording_retention.py", "dal/recording_objects.py"),
        tests=(
            f"{U}test_recording_retention_template.py",
            f"{IT}test_recording_retention.py",
            *RECORDING_TESTS,
            f"{IT}test_account_deletion.py",
            f"{IT}test_account_export.py",
            f"{IT}test_erasure.py",
        ),
    ),
    # What every function publishes: an HTTP request's metrics, a scheduled or stream run's, once each.
    "observability": Group(
        modules=("observability.py",),
        tests=(f"{IT}test_metrics.py", f"{IT}test_ringcloud_hostile.py", f"{IT}test_ringostat_sync.py"),
    ),
    # Measured whole before issue 22 (2026-11-26): recordings, accounts, contacts and notes, feeds.
    "recordings": Group(
        modules=("downloads.py", "logic/recordings.py", "dal/recordings.py"),
        tests=RECORDING_TESTS,
    ),
    "accounts": Group(
        modules=(
            "dal/__init__.py",
            "dal/accounts.py",
            "dal/account_deletion.py",
            "dal/account_transfer.py",
            "dal/erasure.py",
            "dal/items.py",
            "dal/table.py",
        ),
        tests=(
            f"{U}test_item_values.py",
            f"{IT}test_admin_users.py",
            f"{IT}test_admin_cli_words.py",
            f"{IT}test_account_deletion.py",
            f"{IT}test_account_export.py",
            f"{IT}test_erasure.py",
            f"{IT}test_stale_writes.py",
            f"{IT}test_dal_reads.py",
            f"{IT}test_emulator_transactions.py",
            f"{IT}test_token_cache.py",
        ),
    ),
    "contacts": Group(
        modules=("dal/contacts.py", "dal/notes.py", "dal/activities.py", "dal/pagination.py"),
        tests=(
            f"{U}test_pagination.py",
            f"{IT}test_ringotel_contacts.py",
            f"{IT}test_ringotel_activities.py",
            f"{IT}test_ringotel_webhook.py",
            f"{IT}test_ringotel_whole_lists.py",
            f"{IT}test_ringio_contacts.py",
            f"{IT}test_ringio_notes.py",
            f"{IT}test_ringio_resources.py",
            f"{IT}test_stale_writes.py",
            f"{IT}test_dal_reads.py",
            f"{IT}test_bad_input.py",
        ),
    ),
    # The models' shared pieces (models/common.py): what Ringotel's unset variables ("") become, checked by the
    # models' unit tests, the published schema against them and the hooks that take such bodies; the declared
    # response headers.
    "blank-input": Group(
        modules=("models/common.py",),
        tests=(
            f"{U}test_models.py",
            f"{U}test_activity_models.py",
            f"{IT}test_ringotel_contacts.py",
            f"{IT}test_ringotel_activities.py",
            f"{IT}test_ringotel_recordings.py",
            f"{IT}test_ringotel_webhook.py",
            f"{IT}test_bad_input.py",
            f"{IT}test_documented_headers.py",
        ),
    ),
    # The domain errors (errors.py): each one's answer and headers, and how a refused field is named, in a 422,
    # a vendor configuration's refusal, a stored state that no longer reads and a RingCloud call refused.
    "errors": Group(
        modules=("errors.py",),
        tests=(
            f"{U}test_http.py",
            f"{IT}test_bad_input.py",
            f"{IT}test_rate_limits.py",
            f"{IT}test_click_to_call_policy.py",
            f"{IT}test_ringotel_contacts.py",
            f"{IT}test_ringotel_webhook.py",
            f"{IT}test_ringotel_recordings.py",
            f"{IT}test_vendor_config.py",
            f"{IT}test_ringcloud_hostile.py",
            f"{IT}test_admin_cli_words.py",
        ),
    ),
    "feeds": Group(
        modules=("dal/feeds.py", "logic/feeds.py", "logic/etags.py"),
        tests=(
            f"{U}test_etags.py",
            f"{U}test_feed_cursors.py",
            f"{IT}test_feeds.py",
            f"{IT}test_feeds_concurrency.py",
            f"{IT}test_stale_writes.py",
            f"{IT}test_ringio_contacts.py",
            f"{IT}test_ringio_notes.py",
        ),
    ),
}
