"""Settings read from the environment (TVERS_*): the one place configuration enters."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TVERS_", extra="ignore")

    database_url: str = "sqlite:///tvers.db"
    # The relay runs inside `serve` by default only for the embedded SQLite setup;
    # production runs it in `tvers worker`.
    relay_in_server: bool | None = None
    relay_poll_seconds: float = 0.5
    idempotency_ttl_hours: int = 24
    sqlite_busy_timeout_ms: int = 10_000
    pool_size: int = 10
    # PostgreSQL: a pooled connection idle this long is checked (SELECT 1) before use; 0 checks before every use.
    pool_ping_after_idle_seconds: float = 1.0
    # Identity types strong enough to merge two profiles on (email only when verified on both sides); ADR 0005.
    # A checkout not finished this long after step 1 is finished or undone by the worker's sweep; its reservations
    # outlive the deadline so the sweep finds them, and a confirmed order holds its stock until it is fulfilled.
    checkout_deadline_seconds: int = 300
    checkout_reservation_seconds: int = 1200
    order_reservation_days: int = 30
    customer_merge_on: str = "email,loyalty_card,payment_card_fingerprint,marketplace_buyer_id"
    # Payments: Stripe is offered only when a secret key is set; the test card only while enabled (turn it off in production).
    stripe_secret_key: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    stripe_return_url: str | None = None  # where 3-D Secure sends the shopper back; without it Stripe.js handles the action
    stripe_timeout_seconds: float = 20.0
    payments_test_card: bool = True
    payments_fingerprint_key: str = "tvers-test-card-fingerprints"  # keys the test card's fingerprints
    # Fulfilment: sourcing costs (docs/fulfilment.md), how long a location has to accept a task once open, pickup expiry.
    sourcing_cost_per_km: float = 0.05
    sourcing_cost_per_shipment: float = 10.0
    sourcing_cost_per_priority_point: float = 1.0
    sourcing_warehouse_discount: float = 0.0
    sourcing_surplus_discount: float = 0.0
    transfer_hours: float = 24.0
    transfer_km_per_hour: float = 60.0
    accept_minutes_store: int = 60
    accept_minutes_warehouse: int = 240
    pickup_expiry_days: int = 7
    # Returns (docs/returns.md): how long a return authorisation asked for online stays open for the goods to come in.
    return_authorisation_days: int = 30
    # Notifications (docs/notifications.md): who is told what about an order, and how it is sent.
    notifications_sender: Literal["file", "smtp", "none"] = "file"  # none: messages are written and marked skipped, never sent
    notifications_file: str = "tvers-notifications.jsonl"  # the file sender's JSON lines; also where SMS go (no SMS gateway yet)
    notifications_store_address_template: str = "{code}@stores.invalid"  # a store's address from its location code; empty: none
    notifications_max_attempts: int = 5
    notifications_retry_seconds: float = 30.0  # the first retry's wait; doubles with each attempt, capped at an hour
    notifications_claim_seconds: float = 300.0  # a message claimed by a worker that died is sent again after this
    notifications_batch: int = 50
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "Tvers <no-reply@localhost>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 20.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_relay_in_server(self) -> bool:
        return self.is_sqlite if self.relay_in_server is None else self.relay_in_server
