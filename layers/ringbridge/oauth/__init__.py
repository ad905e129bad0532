"""OAuth2 authorization server: authorization code (with PKCE) and rotating refresh tokens.

``credentials`` (formats and hashing; light, used by ringbridge.auth on every request),
``server`` (oauthlib's WebApplicationServer and our RequestValidator over ringbridge.dal.oauth),
``clients`` (the admin CLI's client registry), ``consent`` (the HTML consent page and its CSRF check).
"""
