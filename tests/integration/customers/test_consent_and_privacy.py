"""Consent ledger per purpose; export for admins; erasure that leaves no personal value anywhere in the database."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from support.customers import counts, create, ident, seed_channels
from tvers.carts import service as carts
from tvers.carts.schemas import CartIn, CartLineIn
from tvers.customers import service as customers
from tvers.customers.errors import AlreadyErased, CustomerErased, LooksLikeCardNumber, UnknownPurpose
from tvers.customers.money_schemas import GiftCardIssueIn, StoreCreditIn
from tvers.customers.schemas import AddressIn, ConsentIn, CustomerPatch, IdentityAddIn
from tvers.schema import target_metadata

PERSONAL = {"given": "Ingeborg", "family": "Fjellstad-Haugen", "email": "ingeborg.fjellstad@eksempel.no", "phone": "+4798765432",
            "line": "Storgata 117B", "postal": "0184", "birth": "1987-03-14", "notes": "Prefers pickup at Majorstuen",
            "card": "7001999000123", "device": "ios-device-9f8e7d6c", "fingerprint": "fp_4Kq9ZzX81wQ"}


@pytest.fixture
def channels(tvers):
    seed_channels(tvers, with_products=True)


def consent(tvers, customer_id, purpose, granted, version="v1", channel="web-no"):
    with tvers.uow() as uow:
        state = customers.record_consent(uow, customer_id, ConsentIn(purpose=purpose, is_granted=granted, channel=channel,
                                                                      wording_version=version))
        uow.commit()
    return state


def test_consent_state_is_the_latest_entry_and_history_is_kept(tvers, channels, clock):
    kari = create(tvers, ident("email", "kari@example.no"))
    consent(tvers, kari, "email_marketing", True, version="2026-01")
    clock.advance(days=10)
    consent(tvers, kari, "email_marketing", False, version="2026-01", channel="app-no")
    consent(tvers, kari, "profiling", True)
    with tvers.uow(read_only=True) as uow:
        state = {c.purpose.value: (c.is_granted, c.channel) for c in customers.current_consents(uow, kari)}
        history = customers.consent_history(uow, kari)
    assert state == {"email_marketing": (False, "app-no"), "sms_marketing": (False, None), "personalisation": (False, None),
                     "profiling": (True, "web-no"), "order_updates": (True, None)}
    assert [(h.purpose.value, h.is_granted) for h in history] == [("email_marketing", True), ("email_marketing", False),
                                                                 ("profiling", True)]


def test_an_unknown_purpose_is_refused_and_nothing_changes(tvers, channels):
    kari = create(tvers, ident("email", "kari@example.no"))
    before = counts(tvers)
    with pytest.raises(UnknownPurpose) as raised:
        consent(tvers, kari, "telepathy", True)
    assert [f.field for f in raised.value.fields] == ["purpose"]
    assert counts(tvers) == before


def _full_customer(tvers):
    p = PERSONAL
    customer_id = create(tvers, ident("email", p["email"], verified=True), ident("phone", p["phone"]), ident("loyalty_card", p["card"]),
                         ident("device_id", p["device"]), ident("payment_card_fingerprint", p["fingerprint"]),
                         given_name=p["given"], family_name=p["family"], birth_on=date.fromisoformat(p["birth"]), notes=p["notes"])
    with tvers.uow() as uow:
        customers.add_address(uow, customer_id, AddressIn(lines=[p["line"]], postal_code=p["postal"], city="Oslo", country="NO"))
        customers.record_consent(uow, customer_id, ConsentIn(purpose="email_marketing", is_granted=True, channel="web-no",
                                                             wording_version="v3"))
        customers.earn_for_order(uow, order_id="ord_1", customer_id=customer_id, channel="pos-oslo", currency="NOK", amount_minor=99_900)
        customers.issue_store_credit(uow, customer_id, StoreCreditIn(amount=Decimal(100), currency="NOK", reason="return", reference="r1"))
        customers.issue_gift_card(uow, GiftCardIssueIn(amount=Decimal(250), currency="NOK", owner_id=customer_id))
        cart = carts.open_cart(uow, CartIn(channel="app-no", customer_id=customer_id))
        carts.set_line(uow, cart.id, CartLineIn(sku="TT-RED-M", quantity=1))
        uow.commit()
    return customer_id


def test_export_holds_everything_about_the_customer(tvers, channels):
    customer_id = _full_customer(tvers)
    with tvers.uow(read_only=True) as uow:
        document = customers.export_customer(uow, customer_id)
    assert document["profile"]["given_name"] == PERSONAL["given"]
    assert len(document["profile"]["identities"]) == 5 and document["profile"]["addresses"][0]["lines"] == [PERSONAL["line"]]
    assert (len(document["consents"]), document["loyalty"]["balance"], len(document["gift_cards"]), len(document["carts"])) == (1, 99, 1, 1)
    assert document["store_credit"]["balances"] == [{"amount": "100.00", "currency": "NOK"}]


def dump_database(tvers) -> str:
    """Every column of every table, as text: what an attacker with the database would read."""
    parts = []
    with tvers.db.engine.connect() as connection:
        for table in target_metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                parts.extend(str(value) for value in row)
    return "\n".join(parts).casefold()


def test_erasure_leaves_no_personal_value_anywhere_and_keeps_the_money_trail(tvers, channels):
    # given a customer with every kind of personal data, a merged duplicate, and money on ledgers
    customer_id = _full_customer(tvers)
    duplicate = create(tvers, ident("email", "ingeborg.old@eksempel.no"), given_name=PERSONAL["given"], notes=PERSONAL["notes"])
    with tvers.uow() as uow:
        customers.merge_customers(uow, survivor_id=customer_id, merged_id=duplicate, reason="same person", actor="key_staff")
        uow.commit()
    assert PERSONAL["family"].casefold() in dump_database(tvers)
    # when an admin erases her
    with tvers.uow() as uow:
        customers.erase_customer(uow, customer_id, actor="key_admin")
        uow.commit()
    # then no personal value is left in any table, column or event, on either database
    dump = dump_database(tvers)
    # whole values only: a four-digit postal code can stand inside a random id or a digest by chance
    leaked = {name: value for name, value in PERSONAL.items()
              if re.search(rf"(?<![0-9a-z]){re.escape(value.casefold())}(?![0-9a-z])", dump)}
    assert leaked == {}
    assert "ingeborg.old@eksempel.no" not in dump
    # and the ledgers remain, under the pseudonymous id
    with tvers.uow(read_only=True) as uow:
        assert customers.loyalty_summary(uow, customer_id).balance == 99
        assert customers.store_credit_of(uow, customer_id).balances[0].amount == "100.00"
        assert customers.get_customer(uow, duplicate).status == "erased"


def test_an_erased_profile_refuses_changes_merges_and_a_second_erasure(tvers, channels):
    kari, other = create(tvers, ident("email", "kari@example.no")), create(tvers, ident("email", "other@example.no"))
    with tvers.uow() as uow:
        customers.erase_customer(uow, kari, actor="key_admin")
        uow.commit()
    before = counts(tvers)
    attempts = [
        (AlreadyErased, lambda uow: customers.erase_customer(uow, kari, actor="key_admin")),
        (CustomerErased, lambda uow: customers.update_customer(uow, kari, CustomerPatch(version=2, given_name="X"))),
        (CustomerErased, lambda uow: customers.merge_customers(uow, survivor_id=other, merged_id=kari, reason="x", actor="k")),
        (CustomerErased, lambda uow: customers.record_consent(uow, kari, ConsentIn(purpose="profiling", is_granted=True,
                                                                                      wording_version="v1"))),
    ]
    for error, attempt in attempts:
        with pytest.raises(error), tvers.uow() as uow:
            attempt(uow)
    assert counts(tvers) == before


def test_a_card_number_never_reaches_the_database(tvers, channels):
    kari = create(tvers, ident("email", "kari@example.no"))
    with pytest.raises(LooksLikeCardNumber), tvers.uow() as uow:
        customers.add_identity(uow, kari, IdentityAddIn(type="payment_card_fingerprint", value="5555-5555-5555-4444"))  # type: ignore[arg-type]
    assert "5555555555554444" not in dump_database(tvers).replace("-", "")
