"""The régua at work: outbox claims, dispatch waves, caps, pauses, planning from the database, the scheduler."""
