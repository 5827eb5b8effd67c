"""What an account configures, in the API: its webhooks and its custom fields."""
