"""The bulk action platform's application: domain, engine, use cases and infrastructure."""
