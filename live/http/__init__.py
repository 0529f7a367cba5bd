"""HTTP transport: middlewares (one ``setup_x`` module each), JSON API views and pages."""
