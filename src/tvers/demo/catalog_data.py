"""Builds the demo catalog of a fictional Nordic outdoor retailer, deterministically from a seed.

Pure: no database, no I/O, no global randomness; the word tables live in catalog_words.py.
"""

import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tvers.demo.catalog_words import (
    BRANDS,
    FEATURES,
    GROUP_ATTRIBUTES,
    GROUP_USES,
    KINDS,
    LINES,
    LOCALES,
    MATERIAL_SENTENCE,
    MATERIALS,
    OPENERS,
    PALETTES,
    SIZE_WORDS,
    USES,
    Brand,
    OptionValue,
    Phrase,
    ProductKind,
)

__all__ = ["DemoCatalog", "DemoProduct", "DemoTranslation", "DemoVariant", "build_catalog"]

CURRENCIES = ("NOK", "SEK", "DKK", "EUR")
RATES = {"NOK": Decimal(1), "SEK": Decimal("0.97"), "DKK": Decimal("0.64"), "EUR": Decimal("0.086")}
# Price points per currency: (below this amount, round to this step, then subtract this ending),
# so 1 284 NOK becomes 1 299.00, 612 DKK becomes 599.95 and 130 EUR becomes 129.95.
LADDERS = {
    "NOK": (("100", "10", "1"), ("2000", "50", "1"), ("Infinity", "100", "1")),
    "SEK": (("100", "10", "1"), ("3000", "50", "1"), ("Infinity", "100", "1")),
    "DKK": (("100", "5", "0.05"), ("1000", "50", "0.05"), ("Infinity", "100", "0.05")),
    "EUR": (("20", "1", "0.05"), ("200", "10", "0.05"), ("Infinity", "50", "0.05")),
}
SALE_FACTORS = ("1.2", "1.25", "1.3", "1.4", "1.5")
SALE_SHARE, DRAFT_SHARE, COLOUR_PREMIUM_SHARE = 0.15, 0.05, 0.08
CENT = Decimal("0.01")
MATERIAL_TAGS = {
    "recycled_polyester": ("recycled",),
    "recycled_nylon": ("recycled",),
    "merino": ("merino", "wool"),
    "wool_blend": ("wool",),
    "down": ("down",),
    "organic_cotton": ("organic",),
}


@dataclass(frozen=True)
class DemoTranslation:
    title: str
    description: str
    option_values: dict[str, str]  # English option value -> translated; sizes are omitted


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    gtin13: str
    options: dict[str, str]
    weight_grams: int
    prices: dict[str, Decimal]  # VAT-inclusive consumer price per currency
    compare_at: dict[str, Decimal]  # the higher "before" price while on sale, else empty


@dataclass(frozen=True)
class DemoProduct:
    handle: str
    title: str
    description: str
    brand: str
    category: str
    tax_class: str
    tags: list[str]
    attributes: dict[str, str]
    translations: dict[str, DemoTranslation]
    variants: list[DemoVariant]
    image_urls: list[str]
    status: str


@dataclass(frozen=True)
class DemoCatalog:
    products: list[DemoProduct]

    @property
    def variant_count(self) -> int:
        return sum(len(product.variants) for product in self.products)


def build_catalog(seed: int = 42, *, product_count: int = 240) -> DemoCatalog:
    """The same seed always yields an equal catalog."""
    rng = random.Random(seed)
    registry = _Registry()
    return DemoCatalog([_build_product(rng, registry=registry) for _ in range(product_count)])


@dataclass
class _Registry:
    """What earlier products already claimed, so handles, SKUs and GTINs stay unique."""

    taken: set[str] = field(default_factory=set)  # handles are lower case, SKU prefixes upper: no clash
    item_numbers: dict[str, int] = field(default_factory=dict)
    lines_by_kind: dict[str, list[str]] = field(default_factory=dict)

    def claim(self, base: str, *, separator: str = "-") -> str:
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}{separator}{number}"
        self.taken.add(candidate)
        return candidate

    def next_gtin(self, brand: Brand) -> str:
        number = self.item_numbers.get(brand.code, 0) + 1
        if number > 99_999:
            raise ValueError(f"brand {brand.name} has run out of 5-digit GTIN item references")
        self.item_numbers[brand.code] = number
        body = f"{brand.gs1_prefix}{number:05d}"
        return body + _gs1_check_digit(body)


@dataclass(frozen=True)
class _Draft:
    """The product-level choices every variant and translation is derived from."""

    kind: ProductKind
    brand: Brand
    line: str
    handle: str
    sku_prefix: str
    material: str | None
    values: list[OptionValue | None]  # [None]: the product does not vary by colour or flavour
    sizes: list[str | None]  # [None]: the product comes in one size


@dataclass(frozen=True)
class _Copy:
    opener: tuple[Phrase, Phrase]  # singular, plural
    use: Phrase
    material: Phrase | None
    feature: Phrase | None


def _build_product(rng: random.Random, *, registry: _Registry) -> DemoProduct:
    draft = _draft(rng, registry=registry)
    translations = _translations(draft, copy=_copy(rng, draft=draft))
    on_sale = rng.random() < SALE_SHARE
    attributes = _attributes(rng, draft=draft)
    return DemoProduct(
        handle=draft.handle,
        title=translations["en"].title,
        description=translations["en"].description,
        brand=draft.brand.name,
        category=draft.kind.category,
        tax_class=draft.kind.tax_class,
        tags=_tags(rng, draft=draft, attributes=attributes, on_sale=on_sale),
        attributes=attributes,
        translations=translations,
        variants=_variants(rng, draft=draft, on_sale=on_sale, registry=registry),
        image_urls=[f"/static/demo/products/{draft.handle}-{n}.jpg" for n in range(1, rng.randint(1, 4) + 1)],
        status="draft" if rng.random() < DRAFT_SHARE else "active",
    )


def _draft(rng: random.Random, *, registry: _Registry) -> _Draft:
    kind = rng.choices(KINDS, weights=[k.frequency for k in KINDS])[0]
    brand = rng.choice(BRANDS)
    line = _pick_line(rng, kind=kind, registry=registry)
    handle_base = _slug(f"{line} {kind.name.en}")
    if handle_base in registry.taken:  # a second brand's product in the same line
        handle_base = f"{_slug(brand.name)}-{handle_base}"
    return _Draft(
        kind=kind,
        brand=brand,
        line=line,
        handle=registry.claim(handle_base),
        sku_prefix=registry.claim(f"{brand.code}-{kind.code}-{_code(line)[:10]}", separator=""),
        material=rng.choice(kind.materials) if kind.materials else None,
        values=_pick_values(rng, kind=kind),
        sizes=_pick_sizes(rng, kind=kind),
    )


def _pick_line(rng: random.Random, *, kind: ProductKind, registry: _Registry) -> str:
    """Prefer a line this kind has not used yet, so titles rarely repeat."""
    used = registry.lines_by_kind.setdefault(kind.code, [])
    line = rng.choice([name for name in LINES if name not in used] or LINES)
    used.append(line)
    return line


def _pick_values(rng: random.Random, *, kind: ProductKind) -> list[OptionValue | None]:
    low, high = kind.palette_size
    if high == 0:
        return [None]
    return list(rng.sample(PALETTES[kind.palette].values, rng.randint(low, high)))


def _pick_sizes(rng: random.Random, *, kind: ProductKind) -> list[str | None]:
    """Long size runs sometimes skip the smallest or largest size, as real ranges do."""
    if not kind.sizes:
        return [None]
    if len(kind.sizes) < 5:
        return list(kind.sizes)
    start, end = rng.randint(0, 1), len(kind.sizes) - rng.randint(0, 1)
    return list(kind.sizes[start:end])


def _copy(rng: random.Random, *, draft: _Draft) -> _Copy:
    group = draft.kind.group
    material = MATERIALS[draft.material] if draft.material and rng.random() < 0.8 else None
    return _Copy(
        opener=rng.choice(OPENERS),
        use=USES[rng.choice(GROUP_USES[group])],
        material=material,
        feature=rng.choice(FEATURES[group]) if rng.random() < 0.85 else None,
    )


def _translations(draft: _Draft, *, copy: _Copy) -> dict[str, DemoTranslation]:
    return {locale: _translation(draft, copy=copy, locale=locale) for locale in LOCALES}


def _translation(draft: _Draft, *, copy: _Copy, locale: str) -> DemoTranslation:
    title = f"{draft.line} {draft.kind.name.get(locale)}"
    opener = copy.opener[1] if locale in draft.kind.plural_in else copy.opener[0]
    sentences = [f"{title} {opener.get(locale)} {copy.use.get(locale)}."]
    if copy.material:
        sentences.append(MATERIAL_SENTENCE.get(locale).format(material=copy.material.get(locale)))
    if copy.feature:
        sentences.append(copy.feature.get(locale))
    return DemoTranslation(title=title, description=" ".join(sentences), option_values=_option_words(draft, locale))


def _option_words(draft: _Draft, locale: str) -> dict[str, str]:
    words = {value.name.en: value.name.get(locale) for value in draft.values if value}
    sizes = {size: SIZE_WORDS[size].get(locale) for size in draft.sizes if size in SIZE_WORDS}
    return words | sizes


def _attributes(rng: random.Random, *, draft: _Draft) -> dict[str, str]:
    attributes = {"material": _sentence_case(MATERIALS[draft.material].en)} if draft.material else {}
    for name, choices in GROUP_ATTRIBUTES[draft.kind.group].items():
        attributes[name] = rng.choice(choices)
    return attributes


def _tags(rng: random.Random, *, draft: _Draft, attributes: dict[str, str], on_sale: bool) -> list[str]:
    tags = [draft.kind.category.split("/")[-1], _slug(draft.brand.name)]
    if attributes.get("waterproof") == "yes":
        tags.append("waterproof")
    tags += MATERIAL_TAGS.get(draft.material or "", ())
    tags += [tag for tag, share in (("new", 0.12), ("bestseller", 0.1)) if rng.random() < share]
    return tags + (["sale"] if on_sale else [])


def _variants(rng: random.Random, *, draft: _Draft, on_sale: bool, registry: _Registry) -> list[DemoVariant]:
    base_nok = Decimal(rng.randint(*draft.kind.price_nok))
    premium_index = rng.randrange(len(draft.values)) if rng.random() < COLOUR_PREMIUM_SHARE else -1
    sale_factor = Decimal(rng.choice(SALE_FACTORS)) if on_sale else None
    grams = rng.randint(*draft.kind.grams)
    variants = []
    for index, value in enumerate(draft.values):
        raw = base_nok * Decimal("1.1") if index == premium_index else base_nok  # a rarer colour costs more
        prices = _price_table(raw)
        compare_at = _compare_at(raw, prices=prices, factor=sale_factor) if sale_factor else {}
        for size_index, size in enumerate(draft.sizes):
            variants.append(
                DemoVariant(
                    sku=_sku(draft, value=value, size=size),
                    gtin13=registry.next_gtin(draft.brand),
                    options=_options(draft, value=value, size=size),
                    weight_grams=_scaled_grams(grams, index=size_index, count=len(draft.sizes)),
                    prices=prices,
                    compare_at=compare_at,
                )
            )
    return variants


def _sku(draft: _Draft, *, value: OptionValue | None, size: str | None) -> str:
    segments = [draft.sku_prefix] + ([value.code] if value else []) + ([_code(size)] if size else [])
    return "-".join(segments)


def _options(draft: _Draft, *, value: OptionValue | None, size: str | None) -> dict[str, str]:
    options = {PALETTES[draft.kind.palette].option: value.name.en} if value else {}
    return options | ({draft.kind.size_option: size} if size else {})


def _scaled_grams(grams: int, *, index: int, count: int) -> int:
    """Each size step away from the middle weighs about 6 % more or less."""
    return grams * (100 + 6 * (index - count // 2)) // 100


def _price_table(raw_nok: Decimal) -> dict[str, Decimal]:
    return {currency: _price_point(raw_nok * RATES[currency], currency=currency) for currency in CURRENCIES}


def _compare_at(raw_nok: Decimal, *, prices: dict[str, Decimal], factor: Decimal) -> dict[str, Decimal]:
    """A before-price above the price in every currency, even where rounding would meet it."""
    before = _price_table(raw_nok * factor)
    if all(before[currency] > prices[currency] for currency in CURRENCIES):
        return before
    return _compare_at(raw_nok, prices=prices, factor=factor + Decimal("0.1"))


def _price_point(amount: Decimal, *, currency: str) -> Decimal:
    for below, step, ending in LADDERS[currency]:
        if amount < Decimal(below):
            steps = max(Decimal(1), (amount / Decimal(step)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            return (steps * Decimal(step) - Decimal(ending)).quantize(CENT)
    raise AssertionError("the last ladder rung is unbounded")


def _gs1_check_digit(body: str) -> str:
    """GS1 mod-10: weights 3 and 1 alternate from the rightmost digit of the body."""
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return str(-total % 10)


_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_TRANSLITERATION)).strip("-")


def _code(text: str) -> str:
    return _slug(text).replace("-", "").upper()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
