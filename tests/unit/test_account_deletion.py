"""The account deletion's last sweep waits long enough: for the longest function the template deploys."""

from ringbridge.logic.account_deletion import LONGEST_FUNCTION_SECONDS
from ringbridge_tools.local import template


def test_the_last_sweep_waits_for_the_longest_function_timeout_in_the_template() -> None:
    # A request that passed auth just before the access went may write until its function times out.
    assert max(function.timeout_seconds for function in template.functions().values()) == LONGEST_FUNCTION_SECONDS
