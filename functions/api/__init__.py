"""What no other route serves: the HTTP API's $default route."""
