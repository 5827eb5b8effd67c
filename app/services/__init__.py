"""Use cases: what the API and the workers ask the domain to do."""
