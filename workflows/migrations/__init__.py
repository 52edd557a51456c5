"""Alembic revisions of the domain's tables (branch `workflows`)."""
