"""Everything that carries events out of Tvers: the relay now; webhooks, NATS, feeds later."""
