"""DuckDB: the schema and its migrations, and the queries the rest of the engine needs."""
