"""A client of the platform: the API client, the `bulk-actions` CLI and the token script."""
