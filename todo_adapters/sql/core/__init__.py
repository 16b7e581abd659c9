"""The statements in SQLAlchemy Core, each defined once: what the sync repository runs (on
SQLite or PostgreSQL), and what `postgres_texts.sql` is generated from. Serving on PostgreSQL
never imports it."""
