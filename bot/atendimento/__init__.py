"""The conversation around the pure engine: facts read, decisions stored, replies written to the outbox."""
