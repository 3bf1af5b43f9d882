"""JSON API under /api/v1: thin routes that validate, open a unit of work and call services."""
