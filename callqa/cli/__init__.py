"""The `callqa` command: parses options, owns each command's unit of work."""
