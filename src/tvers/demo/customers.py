"""Demo customers: 5,000 Nordic shoppers across channels, some with duplicate profiles the resolver merges while loading.

Deterministic per seed; goes through the customer services the API uses.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers

from tvers.bootstrap import Tvers
from tvers.customers import service as customers
from tvers.customers.identity_rules import IdentityType
from tvers.customers.schemas import AddressIn, ArrivalIn, ArrivalKind, CustomerIn, IdentityIn, ProfileData, Purpose
from tvers.customers.service import ImportedCustomer, PastOrder
from tvers.demo.customer_words import (
    CHANNELS,
    CITIES,
    CURRENCIES,
    EMAIL_DOMAINS,
    FAMILY,
    GIVEN,
    LOCALES,
    MOBILE_DIGITS,
    MOBILE_PREFIX,
)

COUNTRY_WEIGHTS = (("NO", 45), ("SE", 35), ("DK", 20))
DUPLICATE_SHARE = 0.01
BATCH = 500
# Points earned in the last year: most members stay Bronze, about a fifth reach Silver, a few Gold.
TIER_SPREAD = ((0.70, 50, 1400), (0.22, 1500, 4800), (0.08, 5000, 14000))
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ö": "o", "ä": "a", "é": "e"})


@dataclass(frozen=True)
class DemoShopper:
    """A loaded demo customer, as the order history needs to know them."""

    customer_id: str
    country: str
    given_name: str
    family_name: str
    email: str
    email_verified: bool
    loyalty_card: str | None
    points: int
    address: tuple[str, str, str] | None  # street, postal code, city (in `country`)


@dataclass(frozen=True)
class DemoCustomers:
    created: int
    merged: int
    members: int
    shoppers: tuple[DemoShopper, ...] = ()


@dataclass
class _Person:
    country: str
    data: CustomerIn
    loyalty_card: str | None
    consents: list[str]
    points: int


def load_customers(tvers: Tvers, *, seed: int, count: int = 5000, log: Callable[[str], None] = lambda _m: None) -> DemoCustomers:
    rnd = random.Random(seed * 7919 + 4)
    people = [_person(rnd, index) for index in range(count)]
    ids = _create(tvers, rnd, people)
    merged = _duplicates_found_by_the_resolver(tvers, rnd, people)
    members = sum(1 for p in people if p.loyalty_card)
    log(f"loaded {count} customers ({members} loyalty members); the resolver merged {merged} duplicate profiles")
    return DemoCustomers(created=count, merged=merged, members=members,
                         shoppers=tuple(_shopper(person, customer_id) for person, customer_id in zip(people, ids, strict=True)))


def _shopper(person: _Person, customer_id: str) -> DemoShopper:
    email = person.data.identities[0]
    address = person.data.addresses[0] if person.data.addresses else None
    return DemoShopper(
        customer_id=customer_id, country=person.country, given_name=person.data.given_name or "",
        family_name=person.data.family_name or "", email=email.value, email_verified=email.is_verified,
        loyalty_card=person.loyalty_card, points=person.points,
        address=(address.lines[0], address.postal_code, address.city) if address else None,
    )


def _person(rnd: random.Random, index: int) -> _Person:
    country = rnd.choices([c for c, _ in COUNTRY_WEIGHTS], weights=[w for _, w in COUNTRY_WEIGHTS])[0]
    given, family = rnd.choice(GIVEN[country]), rnd.choice(FAMILY[country])
    channel = rnd.choice(CHANNELS[country])
    identities = [IdentityIn(type=IdentityType.EMAIL, value=_email(rnd, given, family, country, index), is_verified=rnd.random() < 0.85)]
    if rnd.random() < 0.6:
        identities.append(IdentityIn(type=IdentityType.PHONE, value=_phone(rnd, country)))
    card = f"7001{index:09d}" if rnd.random() < 0.45 else None
    if card:
        identities.append(IdentityIn(type=IdentityType.LOYALTY_CARD, value=card))
    if rnd.random() < 0.15:
        identities.append(IdentityIn(type=IdentityType.DEVICE_ID, value=f"{rnd.choice(['ios', 'android'])}-{rnd.getrandbits(64):016x}"))
    city, city_country, postcodes, streets = rnd.choice([c for c in CITIES if c[1] == country])
    address = AddressIn(lines=[f"{rnd.choice(streets)} {rnd.randint(1, 140)}{rnd.choice(['', '', 'A', 'B'])}"],
                        postal_code=rnd.choice(postcodes), city=city, country=city_country, is_default=True)
    data = CustomerIn(given_name=given, family_name=family, locale=LOCALES[country], channel=channel, identities=identities,
                      addresses=[address] if rnd.random() < 0.9 else [])
    consents = [p for p, share in (("email_marketing", 0.55), ("sms_marketing", 0.25), ("personalisation", 0.4)) if rnd.random() < share]
    return _Person(country=country, data=data, loyalty_card=card, consents=consents, points=_points(rnd) if card else 0)


def _email(rnd: random.Random, given: str, family: str, country: str, index: int) -> str:
    local = f"{given}.{family}".lower().translate(_FOLD)
    return f"{local}{index}@{rnd.choice(EMAIL_DOMAINS[country])}"


def _phone(rnd: random.Random, country: str) -> str:
    while True:  # a few ranges inside the prefixes are unassigned: draw again
        number = rnd.choice(MOBILE_PREFIX[country]) + "".join(str(rnd.randint(0, 9)) for _ in range(MOBILE_DIGITS[country]))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _points(rnd: random.Random) -> int:
    roll, floor = rnd.random(), 0.0
    for share, low, high in TIER_SPREAD:
        floor += share
        if roll < floor:
            return rnd.randint(low, high)
    return 0


def _create(tvers: Tvers, rnd: random.Random, people: list[_Person]) -> list[str]:
    """Bulk import, as from the retailer's old CRM: profiles, consents, and a year of completed orders for members."""
    ids: list[str] = []
    with tvers.uow() as uow:
        now = uow.clock.now()
        for start in range(0, len(people), BATCH):
            batch = [ImportedCustomer(profile=p.data, granted=[Purpose(c) for c in p.consents],
                                      orders=_orders(rnd, p, start + i, now)) for i, p in enumerate(people[start:start + BATCH])]
            ids.extend(customers.import_customers(uow, batch))
        uow.commit()
    return ids


def _orders(rnd: random.Random, person: _Person, index: int, now: datetime) -> list[PastOrder]:
    per_point = {"NOK": 1000, "SEK": 1000, "DKK": 700}[CURRENCIES[person.country]]
    first = rnd.randint(0, person.points)
    return [PastOrder(order_id=f"demo-ord-{index}-{number}", channel=rnd.choice(CHANNELS[person.country]),
                      currency=CURRENCIES[person.country], amount_minor=points * per_point,
                      completed_at=now - timedelta(days=rnd.randint(1, 330)))
            for number, points in enumerate((first, person.points - first)) if points]


def _duplicates_found_by_the_resolver(tvers: Tvers, rnd: random.Random, people: list[_Person]) -> int:
    """Members who also signed up elsewhere with another email; a later order carries card and email, and they merge."""
    members = [i for i, p in enumerate(people) if p.loyalty_card]
    chosen = sorted(rnd.sample(members, int(len(people) * DUPLICATE_SHARE)))
    merged = 0
    with tvers.uow() as uow:
        for index in chosen:
            person = people[index]
            address = f"{person.data.given_name}{index}@jobb.example".lower().translate(_FOLD)
            other_email = IdentityIn(type=IdentityType.EMAIL, value=address, is_verified=True)
            channel = rnd.choice(CHANNELS[person.country])
            customers.resolve(uow, ArrivalIn(kind=ArrivalKind.SIGN_UP, channel=channel, identities=[other_email],
                                             profile=ProfileData(given_name=person.data.given_name)))
            card = IdentityIn(type=IdentityType.LOYALTY_CARD, value=person.loyalty_card or "")
            result = customers.resolve(uow, ArrivalIn(kind=ArrivalKind.ORDER, channel=person.data.channel, identities=[card, other_email]))
            merged += len(result.merged_ids)
        uow.commit()
    return merged
