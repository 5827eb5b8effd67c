"""Domain logic of the bulk action platform: models, entities, action types and services."""
