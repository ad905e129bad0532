"""OAuth2 authorization server: authorization code (with PKCE) and rotating refresh tokens.

The credentials' formats and hashing are ringbridge.tokens (light: ringbridge.auth reads them on every request);
``server`` (oauthlib's WebApplicationServer and our RequestValidator over ringbridge.dal.oauth),
``clients`` (the admin CLI's client registry), ``consent`` (the HTML consent page and its CSRF check).
"""
