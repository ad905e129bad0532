"""The tests' guard: no connection leaves this machine, in the test process or in the commands it starts.

``install(log)`` adds an audit hook on ``socket.connect``: a connection to anything but a loopback
address (127.0.0.0/8, ::1, a Unix socket) raises ``OffMachineConnection`` before it is made, and is
appended to ``log``, which the test session reads after each test (the code that tried may have
swallowed the exception). ``install`` also exports ``RINGBRIDGE_LOOPBACK_ONLY=<log>``: the
``ringbridge`` command installs the same guard when it finds it, so ``serve`` and ``invoke`` started
by a test are held to it and report to the same log. Resolving a name (DNS) is not a connection.

Tooling only: no function imports it, and an audit hook cannot be removed from a process.
"""

import ipaddress
import os
import sys
from pathlib import Path
from typing import Any

ENVIRONMENT = "RINGBRIDGE_LOOPBACK_ONLY"

_installed: list[Path] = []  # the log of this process's hook (an audit hook is never removed)


class OffMachineConnection(RuntimeError):
    """Not an OSError, so no client takes it for a network failure to retry."""


def is_loopback(address: Any) -> bool:
    """Whether a ``socket.connect`` address stays on this machine."""
    if not isinstance(address, tuple):
        return True  # a Unix socket's path
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a name connect() would resolve itself
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def install(log: Path) -> None:
    """Refuse connections off this machine in this process and, through the environment, in its children."""
    os.environ[ENVIRONMENT] = str(log)
    if _installed:
        return
    _installed.append(log)

    def refuse_off_machine(event: str, args: tuple[Any, ...]) -> None:
        if event != "socket.connect" or is_loopback(args[1]):
            return
        with log.open("a") as attempts:
            attempts.write(f"pid {os.getpid()}: connect to {args[1]!r}\n")
        raise OffMachineConnection(f"a test tried to connect off this machine, to {args[1]!r}")

    sys.addaudithook(refuse_off_machine)


def install_if_asked() -> None:
    """The ``ringbridge`` command's entry point: the guard when a test started it."""
    log = os.environ.get(ENVIRONMENT)
    if log:
        install(Path(log))
