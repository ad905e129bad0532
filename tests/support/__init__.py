"""What test modules import (the conftest files keep only fixtures and hooks): ``api`` calls a function
in this process, ``local_server`` runs ``ringbridge serve`` and calls it over HTTP, ``tenants`` makes
accounts, ``dynamodb`` reads and hooks the emulator, ``network`` has ports and the loopback guard's log;
``activities``, ``recordings``, ``ringcloud`` and ``ringostat`` are what more than one test module of
that area uses."""
