"""Units of work: ingest, the worker and its claims, scoring, users, scheduler jobs."""
