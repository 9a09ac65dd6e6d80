"""The read side: call lists, the call page, exports and statistics. No commits."""
