"""Who may do what: the scope each operation needs, and API keys."""
