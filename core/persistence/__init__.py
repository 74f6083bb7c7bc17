"""Storage: the database engine, the unit of work and the Alembic migrations."""
