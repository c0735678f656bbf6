"""Alembic's environment and revisions of the SQL schema (run them through migrate.py)."""
