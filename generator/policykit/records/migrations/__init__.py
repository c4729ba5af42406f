"""Alembic's migrations of the records database (run by policykit.records.store.migrate)."""
