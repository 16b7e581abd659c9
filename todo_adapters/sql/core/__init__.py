"""The statements in SQLAlchemy Core, each defined once: what the sync repository runs on
SQLite, and what `postgres_texts` is generated from. Serving on PostgreSQL never imports it."""
