"""OAuth2 authorization server: the consent page, the token endpoint and token revocation."""
