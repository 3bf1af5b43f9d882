"""Everything that carries events out of Tvers: the relay, notifications to customers and stores; webhooks, NATS, feeds later."""
