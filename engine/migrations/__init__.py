"""Alembic migrations of the Wegwijs database."""
