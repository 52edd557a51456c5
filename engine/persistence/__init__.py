"""Database schema and connection setup for the engine (SQLAlchemy Core)."""
