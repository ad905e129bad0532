"""Fakes of the vendors' APIs on 127.0.0.1, for the tests, the bench and people trying the local stack."""
