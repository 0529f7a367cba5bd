"""Storage: SQLAlchemy 2 typed models and the queries over them, one module per concept."""
