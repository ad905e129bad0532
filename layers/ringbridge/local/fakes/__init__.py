"""Fakes of the vendors' servers we call, on 127.0.0.1: for tests, the bench, and ``ringbridge fake``."""
