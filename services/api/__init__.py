"""The HTTP layer: the app, its guards and errors, the routes."""
