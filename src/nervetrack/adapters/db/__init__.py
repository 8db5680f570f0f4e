"""Storage: SQLAlchemy 2 tables, the engine and session factory, and Alembic migrations."""
