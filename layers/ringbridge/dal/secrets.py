"""The vendors' credentials (Ringostat's auth keys, RingCloud's passwords): SSM SecureStrings, never items.

Stored encrypted with the account's default aws/ssm KMS key. A warm function keeps a secret it read for
CACHE_SECONDS (Powertools' parameter cache), and reads it again at once when the account's configuration has
changed since (``ringostat-config`` or ``ringcloud-config`` just stored a new one): the caller names the
configuration's version (its ``updated_at``) it needs the secret for.
"""

import contextlib

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from ringbridge import aws

CACHE_SECONDS = 300

# parameter name -> the configuration version its cached value was read for
_read_for: dict[str, str | None] = {}


class Unreadable(Exception):
    """SSM has no such parameter, or refused to read it."""


def read(name: str, version: str | None) -> str:
    """The secret, from the cache unless it is older than CACHE_SECONDS or was read for another ``version``."""
    try:
        value = parameters.get_parameter(
            name, decrypt=True, max_age=CACHE_SECONDS, force_fetch=_read_for.get(name) != version
        )
    except GetParameterError:
        raise Unreadable(name) from None
    _read_for[name] = version
    return value


def put(name: str, value: str) -> None:
    aws.ssm().put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def delete(name: str) -> None:
    """Remove the secret; one already gone is not an error."""
    client = aws.ssm()
    with contextlib.suppress(client.exceptions.ParameterNotFound):
        client.delete_parameter(Name=name)
