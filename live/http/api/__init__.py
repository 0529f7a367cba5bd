"""JSON API views under /api/."""
