"""Developer commands (not part of the linting API)."""
