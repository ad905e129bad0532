"""Ports on this machine, and the log of connections the loopback guard refused."""

import socket
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class RefusedConnections:
    """The guard's log of connections off this machine, from this process and the commands it started."""

    log: Path
    seen: int = 0

    def take(self) -> list[str]:
        """The attempts logged since the last take (a test that makes one on purpose takes it)."""
        text = self.log.read_text()
        new, self.seen = text[self.seen :], len(text)
        return new.splitlines()
