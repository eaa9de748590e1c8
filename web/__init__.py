"""The HTTP layer: the edge in front of every route, the GraphQL endpoint and the other routes.

Above `schema/` in the one-way flow: web → schema → resolvers → policies | audit → models.
"""
