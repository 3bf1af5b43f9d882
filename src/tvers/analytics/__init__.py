"""Analytics across channels: KPIs, rollups, segments (fed by the outbox relay)."""
