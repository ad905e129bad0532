"""The no-Docker local stack: template.yaml read in Python, moto in server mode, a local HTTP server.

Development tooling only: imported by the ``ringbridge`` CLI and the tests, never by a function.
"""
