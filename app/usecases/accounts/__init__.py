"""Use cases of what an account configures: its limit, its webhooks, its custom fields."""
