"""The GraphQL API: Strawberry types and resolvers over `app`, served by Starlette."""
