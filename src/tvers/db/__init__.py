"""Database plumbing: metadata, engines, unit of work, outbox, idempotency."""
