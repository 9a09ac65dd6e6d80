"""The application layer: commands and the worker, each owning its units of work."""
