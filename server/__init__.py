"""The API process: the ASGI app serving GraphQL, the REST endpoints and the dashboard."""
