"""OAuth2 authorization server: the consent page, the token endpoint and token revocation."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
