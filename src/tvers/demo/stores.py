"""The demo retailer's locations: two warehouses and twelve stores in Norway, Sweden and Denmark."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLocation:
    code: str
    name: str
    type: str
    city: str
    street: str
    postal_code: str
    country: str
    latitude: float
    longitude: float
    time_zone: str
    currency: str
    locale: str


ZONES = {"NO": ("Europe/Oslo", "NOK", "nb"), "SE": ("Europe/Stockholm", "SEK", "sv"), "DK": ("Europe/Copenhagen", "DKK", "da")}


def _location(
    code: str, name: str, type: str, city: str, street: str, postal_code: str, country: str, lat: float, lon: float
) -> DemoLocation:
    zone, currency, locale = ZONES[country]
    return DemoLocation(code, name, type, city, street, postal_code, country, lat, lon, zone, currency, locale)


WAREHOUSES = (
    _location("dc-langhus", "Langhus distribution centre", "warehouse", "Langhus", "Kveldroveien 12", "1405", "NO", 59.7646, 10.8339),
    _location(
        "dc-jonkoping", "Jönköping distribution centre", "warehouse", "Jönköping", "Ljungarumsvägen 20", "55303", "SE", 57.7476, 14.1251
    ),
)

STORES = (
    _location("oslo-sentrum", "Oslo Sentrum", "store", "Oslo", "Karl Johans gate 18", "0159", "NO", 59.9127, 10.7461),
    _location("bergen-torget", "Bergen Torget", "store", "Bergen", "Torgallmenningen 8", "5014", "NO", 60.3930, 5.3242),
    _location("trondheim-solsiden", "Trondheim Solsiden", "store", "Trondheim", "Beddingen 10", "7014", "NO", 63.4346, 10.4129),
    _location("stavanger-sentrum", "Stavanger Sentrum", "store", "Stavanger", "Kirkegata 20", "4006", "NO", 58.9700, 5.7331),
    _location(
        "stockholm-drottninggatan", "Stockholm Drottninggatan", "store", "Stockholm", "Drottninggatan 45", "11121", "SE", 59.3326, 18.0649
    ),
    _location("goteborg-avenyn", "Göteborg Avenyn", "store", "Göteborg", "Kungsportsavenyen 22", "41136", "SE", 57.6995, 11.9747),
    _location("malmo-triangeln", "Malmö Triangeln", "store", "Malmö", "Södra Förstadsgatan 41", "21143", "SE", 55.5949, 13.0003),
    _location("uppsala-centrum", "Uppsala Centrum", "store", "Uppsala", "Kungsgatan 45", "75321", "SE", 59.8586, 17.6454),
    _location("kobenhavn-stroget", "København Strøget", "store", "København", "Østergade 24", "1100", "DK", 55.6786, 12.5795),
    _location("aarhus-ryesgade", "Aarhus Ryesgade", "store", "Aarhus", "Ryesgade 19", "8000", "DK", 56.1533, 10.2070),
    _location("odense-vestergade", "Odense Vestergade", "store", "Odense", "Vestergade 30", "5000", "DK", 55.3959, 10.3845),
    _location("aalborg-bispensgade", "Aalborg Bispensgade", "store", "Aalborg", "Bispensgade 14", "9000", "DK", 57.0488, 9.9217),
)

def pos_code(store: DemoLocation) -> str:
    """The code of a store's till channel."""
    return f"pos-{store.code}"


STORE_HOURS = {day: ["10:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["10:00-18:00"]}
WAREHOUSE_HOURS = {day: ["06:00-22:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
