"""The e2e tests' one ``ringbridge serve`` for the whole session (``local_server``); a test that must
restart a server starts its own with ``tests.support.local_server.start_server``."""

from collections.abc import Iterator

import pytest

from tests.support.local_server import LocalServer, start_server, stop_server


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_server(tmp_path_factory.mktemp("e2e") / "state")
    try:
        yield server
    finally:
        if server.process.poll() is None:
            stop_server(server)
