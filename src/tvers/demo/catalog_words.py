"""Word tables for the demo catalog: brands, line names, product kinds, colours and copy.

Pure data in English, Norwegian Bokmål, Swedish and Danish; catalog_data.py combines it.
"""

from dataclasses import dataclass

LOCALES = ("nb", "sv", "da", "en")


@dataclass(frozen=True)
class Phrase:
    """The same words in each demo locale."""

    en: str
    nb: str
    sv: str
    da: str

    def get(self, locale: str) -> str:
        return {"en": self.en, "nb": self.nb, "sv": self.sv, "da": self.da}[locale]


@dataclass(frozen=True)
class Brand:
    name: str
    code: str
    gs1_prefix: str  # 7-digit company prefix; 70 Norway, 73 Sweden, 57 Denmark


@dataclass(frozen=True)
class OptionValue:
    code: str  # the SKU segment
    name: Phrase


@dataclass(frozen=True)
class Palette:
    option: str  # the variant option key, e.g. "colour"
    values: tuple[OptionValue, ...]


@dataclass(frozen=True)
class ProductKind:
    """What a product is, where it lives and how its variants differ."""

    code: str
    name: Phrase
    category: str
    group: str  # key into GROUP_USES, FEATURES and GROUP_ATTRIBUTES
    materials: tuple[str, ...]
    price_nok: tuple[int, int]
    grams: tuple[int, int]
    sizes: tuple[str, ...] = ()
    size_option: str = "size"
    palette_size: tuple[int, int] = (1, 1)  # (0, 0): a single variant without options
    palette: str = "colour"
    frequency: int = 2
    tax_class: str = "standard"
    plural_in: tuple[str, ...] = ()  # locales whose name is a plural noun ("boots", "byxor")


BRANDS = (
    Brand("Fjellrev", "FJR", "7041310"),
    Brand("Nordkapp Gear", "NKG", "7041322"),
    Brand("Havbris", "HVB", "7041334"),
    Brand("Stormfjell", "STF", "7041346"),
    Brand("Isbre Outdoor", "ISB", "7041358"),
    Brand("Lynghei", "LYH", "7041360"),
    Brand("Skogsmus", "SKM", "7354610"),
    Brand("Älvdal", "ALV", "7354622"),
    Brand("Vinterskog", "VSK", "7354634"),
    Brand("Granly Supply", "GRS", "7354646"),
    Brand("Ravnsborg", "RVB", "5790471"),
    Brand("Strandvind", "STV", "5790483"),
)

# Product line names: Nordic places and nature words, shared by all brands.
LINES = (
    "Trolltind",
    "Lofoten",
    "Hardanger",
    "Jotunheimen",
    "Dovre",
    "Rondane",
    "Sarek",
    "Femund",
    "Romsdal",
    "Geiranger",
    "Tromsø",
    "Kjerag",
    "Besseggen",
    "Varanger",
    "Saltfjell",
    "Vesterålen",
    "Helags",
    "Padjelanta",
    "Kullaberg",
    "Bornholm",
    "Skagen",
    "Rold",
    "Mols",
    "Fanø",
    "Nordlys",
    "Midnattsol",
    "Fjellbris",
    "Isfjord",
    "Polarnatt",
    "Skare",
    "Lavvo",
    "Reinlav",
    "Tåke",
    "Bjørk",
    "Lyng",
    "Myrull",
    "Snøfonn",
    "Norrsken",
    "Fjällvind",
    "Sylan",
    "Stetind",
    "Hemsedal",
    "Sognefjell",
    "Glittertind",
    "Blåfjell",
)

APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = tuple(str(size) for size in range(36, 47))
GLOVE_SIZES = ("S", "M", "L", "XL")
SOCK_SIZES = ("36-38", "39-41", "42-44", "45-47")

# Size-like option values that read differently per locale; all other sizes stay as they are.
SIZE_WORDS = {
    "Regular": Phrase("Regular", "Normal", "Normal", "Normal"),
    "Long": Phrase("Long", "Lang", "Lång", "Lang"),
}

COLOURS = (
    OptionValue("BLK", Phrase("Black", "Svart", "Svart", "Sort")),
    OptionValue("GRA", Phrase("Graphite", "Grafitt", "Grafit", "Grafit")),
    OptionValue("NVY", Phrase("Navy", "Marineblå", "Marinblå", "Marineblå")),
    OptionValue("FGR", Phrase("Forest green", "Skoggrønn", "Skogsgrön", "Skovgrøn")),
    OptionValue("MOS", Phrase("Moss green", "Mosegrønn", "Mossgrön", "Mosgrøn")),
    OptionValue("RED", Phrase("Red", "Rød", "Röd", "Rød")),
    OptionValue("RST", Phrase("Rust", "Rust", "Rost", "Rust")),
    OptionValue("OCH", Phrase("Ochre", "Oker", "Ockra", "Okker")),
    OptionValue("SND", Phrase("Sand", "Sand", "Sand", "Sand")),
    OptionValue("SGR", Phrase("Stone grey", "Steingrå", "Stengrå", "Stengrå")),
    OptionValue("GLB", Phrase("Glacier blue", "Breblå", "Glaciärblå", "Gletsjerblå")),
    OptionValue("FJB", Phrase("Fjord blue", "Fjordblå", "Fjordblå", "Fjordblå")),
    OptionValue("HTP", Phrase("Heather purple", "Lyngfiolett", "Ljunglila", "Lyngviolet")),
    OptionValue("CLO", Phrase("Cloudberry orange", "Multeoransje", "Hjortronorange", "Multebærorange")),
    OptionValue("OWH", Phrase("Off-white", "Råhvit", "Naturvit", "Råhvid")),
    OptionValue("LRD", Phrase("Lingonberry red", "Tyttebærrød", "Lingonröd", "Tyttebærrød")),
)

MEALS = (
    OptionValue("REIN", Phrase("Reindeer stew", "Reinsdyrgryte", "Rengryta", "Rensdyrgryde")),
    OptionValue("CHILI", Phrase("Chili con carne", "Chili con carne", "Chili con carne", "Chili con carne")),
    OptionValue("BOLO", Phrase("Pasta bolognese", "Pasta bolognese", "Pasta bolognese", "Pasta bolognese")),
    OptionValue("FISH", Phrase("Fish soup", "Fiskesuppe", "Fisksoppa", "Fiskesuppe")),
    OptionValue("CURRY", Phrase("Vegetable curry", "Grønnsakscurry", "Grönsakscurry", "Grøntsagscurry")),
)

SNACKS = (
    OptionValue("NUTBR", Phrase("Nuts and berries", "Nøtter og bær", "Nötter och bär", "Nødder og bær")),
    OptionValue("CHOC", Phrase("Dark chocolate", "Mørk sjokolade", "Mörk choklad", "Mørk chokolade")),
    OptionValue("SALT", Phrase("Salted almonds", "Saltede mandler", "Saltade mandlar", "Saltede mandler")),
)

PALETTES = {
    "colour": Palette("colour", COLOURS),
    "meal": Palette("flavour", MEALS),
    "snack": Palette("flavour", SNACKS),
}

# Columns: code, name, category, group, materials, price range (NOK), weight range (g), then
# what varies. Frequency weights the draw so apparel dominates, as in a real outdoor shop.
KINDS = (
    ProductKind(
        "SHELL",
        Phrase("Shell Jacket", "Skalljakke", "Skaljacka", "Skaljakke"),
        "apparel/jackets",
        "outerwear",
        ("recycled_polyester", "recycled_nylon"),
        (1999, 4999),
        (350, 550),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=4,
    ),
    ProductKind(
        "RAIN",
        Phrase("Rain Jacket", "Regnjakke", "Regnjacka", "Regnjakke"),
        "apparel/jackets",
        "outerwear",
        ("recycled_polyester",),
        (899, 1999),
        (300, 450),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=3,
    ),
    ProductKind(
        "ANORAK",
        Phrase("Anorak", "Anorakk", "Anorak", "Anorak"),
        "apparel/jackets",
        "outerwear",
        ("polycotton", "recycled_nylon"),
        (1299, 2799),
        (400, 600),
        APPAREL_SIZES,
        palette_size=(2, 3),
        frequency=3,
    ),
    ProductKind(
        "DOWN",
        Phrase("Down Jacket", "Dunjakke", "Dunjacka", "Dunjakke"),
        "apparel/jackets",
        "insulation",
        ("down",),
        (1799, 4499),
        (300, 600),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=3,
    ),
    ProductKind(
        "VEST",
        Phrase("Insulated Vest", "Isolert vest", "Fodrad väst", "Isoleret vest"),
        "apparel/vests",
        "insulation",
        ("down", "recycled_polyester"),
        (899, 1799),
        (200, 350),
        APPAREL_SIZES,
        palette_size=(2, 3),
    ),
    ProductKind(
        "BASE",
        Phrase("Merino Base Layer", "Merinotrøye", "Merinotröja", "Merinotrøje"),
        "apparel/base-layers",
        "layers",
        ("merino",),
        (599, 1199),
        (150, 250),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=3,
    ),
    ProductKind(
        "FLEECE",
        Phrase("Fleece Jacket", "Fleecejakke", "Fleecejacka", "Fleecejakke"),
        "apparel/fleece",
        "layers",
        ("recycled_polyester",),
        (699, 1499),
        (300, 450),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=3,
    ),
    ProductKind(
        "TEE",
        Phrase("Wool T-Shirt", "T-skjorte i ull", "T-shirt i ull", "T-shirt i uld"),
        "apparel/t-shirts",
        "layers",
        ("merino", "wool_blend"),
        (399, 799),
        (120, 180),
        APPAREL_SIZES,
        palette_size=(2, 4),
        frequency=3,
    ),
    ProductKind(
        "SHIRT",
        Phrase("Flannel Shirt", "Flanellskjorte", "Flanellskjorta", "Flannelskjorte"),
        "apparel/shirts",
        "layers",
        ("organic_cotton",),
        (599, 1099),
        (250, 350),
        APPAREL_SIZES,
        palette_size=(2, 3),
    ),
    ProductKind(
        "HIKEPANT",
        Phrase("Hiking Trousers", "Turbukse", "Vandringsbyxor", "Vandrebukser"),
        "apparel/trousers",
        "legwear",
        ("recycled_nylon", "polycotton"),
        (799, 1799),
        (300, 450),
        APPAREL_SIZES,
        palette_size=(1, 3),
        frequency=3,
        plural_in=("en", "sv", "da"),
    ),
    ProductKind(
        "SOFTPANT",
        Phrase("Softshell Trousers", "Softshellbukse", "Softshellbyxor", "Softshellbukser"),
        "apparel/trousers",
        "legwear",
        ("recycled_polyester",),
        (999, 1999),
        (350, 500),
        APPAREL_SIZES,
        palette_size=(1, 3),
        plural_in=("en", "sv", "da"),
    ),
    ProductKind(
        "SHORTS",
        Phrase("Hiking Shorts", "Turshorts", "Vandringsshorts", "Vandreshorts"),
        "apparel/shorts",
        "legwear",
        ("recycled_nylon", "organic_cotton"),
        (499, 899),
        (180, 250),
        APPAREL_SIZES,
        palette_size=(1, 3),
        plural_in=("en", "da"),
    ),
    ProductKind(
        "BOOTS",
        Phrase("Hiking Boots", "Fjellstøvler", "Vandringskängor", "Vandrestøvler"),
        "footwear/hiking-boots",
        "footwear",
        ("leather",),
        (1799, 3499),
        (1100, 1500),
        SHOE_SIZES,
        palette_size=(1, 2),
        frequency=3,
        plural_in=LOCALES,
    ),
    ProductKind(
        "TRAIL",
        Phrase("Trail Running Shoes", "Terrengløpesko", "Terränglöparskor", "Trailløbesko"),
        "footwear/trail-running",
        "footwear",
        ("recycled_polyester",),
        (1299, 1999),
        (550, 700),
        SHOE_SIZES,
        palette_size=(1, 3),
        frequency=3,
        plural_in=LOCALES,
    ),
    ProductKind(
        "SNEAK",
        Phrase("Sneakers", "Sneakers", "Sneakers", "Sneakers"),
        "footwear/sneakers",
        "footwear",
        ("organic_cotton", "leather"),
        (899, 1499),
        (600, 800),
        SHOE_SIZES,
        palette_size=(1, 3),
        plural_in=LOCALES,
    ),
    ProductKind(
        "WINTER",
        Phrase("Winter Boots", "Vinterstøvler", "Vinterkängor", "Vinterstøvler"),
        "footwear/winter-boots",
        "footwear",
        ("leather",),
        (1499, 2999),
        (1200, 1700),
        SHOE_SIZES,
        palette_size=(1, 2),
        plural_in=LOCALES,
    ),
    ProductKind(
        "TENT2",
        Phrase("2-Person Tent", "2-personers telt", "Tvåmannatält", "2-personers telt"),
        "equipment/tents",
        "tent",
        ("ripstop",),
        (2999, 6999),
        (1400, 2500),
        palette_size=(1, 2),
    ),
    ProductKind(
        "TENT3",
        Phrase("3-Person Tent", "3-personers telt", "Tremannatält", "3-personers telt"),
        "equipment/tents",
        "tent",
        ("ripstop",),
        (3999, 8999),
        (2200, 3500),
        frequency=1,
    ),
    ProductKind(
        "PACK",
        Phrase("Trekking Backpack", "Tursekk", "Vandringsryggsäck", "Vandrerygsæk"),
        "equipment/backpacks",
        "packs",
        ("recycled_nylon", "ripstop"),
        (1499, 3499),
        (1400, 2200),
        ("45 L", "55 L", "65 L"),
        size_option="capacity",
    ),
    ProductKind(
        "DAYPACK",
        Phrase("Daypack", "Dagstursekk", "Dagsryggsäck", "Dagtursrygsæk"),
        "equipment/backpacks",
        "packs",
        ("recycled_nylon",),
        (599, 1299),
        (500, 900),
        ("20 L", "28 L"),
        size_option="capacity",
        palette_size=(1, 2),
    ),
    ProductKind(
        "SLEEP",
        Phrase("Down Sleeping Bag", "Dunsovepose", "Dunsovsäck", "Dunsovepose"),
        "equipment/sleeping-bags",
        "sleep",
        ("down",),
        (2499, 5999),
        (800, 1400),
        ("Regular", "Long"),
        size_option="length",
    ),
    ProductKind(
        "STOVE",
        Phrase("Camping Stove", "Stormkjøkken", "Stormkök", "Stormkøkken"),
        "equipment/cooking",
        "stove",
        ("aluminium",),
        (599, 1499),
        (300, 900),
        palette_size=(0, 0),
        frequency=1,
    ),
    ProductKind(
        "COOK",
        Phrase("Cook Set", "Kokesett", "Kokset", "Kogesæt"),
        "equipment/cooking",
        "cookware",
        ("titanium", "aluminium"),
        (399, 999),
        (200, 450),
        palette_size=(0, 0),
        frequency=1,
    ),
    ProductKind(
        "LAMP",
        Phrase("Headlamp", "Hodelykt", "Pannlampa", "Pandelampe"),
        "equipment/lighting",
        "light",
        ("aluminium",),
        (399, 899),
        (80, 120),
        palette_size=(1, 3),
        frequency=1,
    ),
    ProductKind(
        "POLES",
        Phrase("Trekking Poles", "Fjellstaver", "Vandringsstavar", "Vandrestave"),
        "equipment/trekking-poles",
        "poles",
        ("aluminium", "carbon"),
        (699, 1599),
        (400, 550),
        palette_size=(1, 2),
        frequency=1,
        plural_in=LOCALES,
    ),
    ProductKind(
        "BEANIE",
        Phrase("Beanie", "Lue", "Mössa", "Hue"),
        "accessories/hats",
        "accessories",
        ("merino", "wool_blend"),
        (249, 499),
        (60, 100),
        palette_size=(2, 4),
    ),
    ProductKind(
        "GLOVES",
        Phrase("Insulated Gloves", "Fôrede hansker", "Fodrade handskar", "Forede handsker"),
        "accessories/gloves",
        "accessories",
        ("recycled_polyester", "leather"),
        (399, 899),
        (100, 180),
        GLOVE_SIZES,
        palette_size=(1, 2),
        plural_in=LOCALES,
    ),
    ProductKind(
        "SOCKS",
        Phrase("Wool Hiking Socks", "Ullsokker", "Ullstrumpor", "Uldsokker"),
        "accessories/socks",
        "accessories",
        ("merino", "wool_blend"),
        (179, 299),
        (60, 90),
        SOCK_SIZES,
        palette_size=(1, 3),
        plural_in=LOCALES,
    ),
    ProductKind(
        "GAITER",
        Phrase("Neck Gaiter", "Halsvarmer", "Halsvärmare", "Halsedisse"),
        "accessories/neckwear",
        "accessories",
        ("merino", "recycled_polyester"),
        (199, 349),
        (40, 70),
        palette_size=(2, 4),
        frequency=1,
    ),
    ProductKind(
        "MEAL",
        Phrase("Freeze-Dried Meal", "Frysetørket turmat", "Frystorkad mat", "Frysetørret måltid"),
        "food/outdoor-meals",
        "meal",
        (),
        (99, 149),
        (120, 160),
        palette_size=(2, 4),
        palette="meal",
        frequency=1,
        tax_class="reduced",
    ),
    ProductKind(
        "MIX",
        Phrase("Trail Mix", "Turmiks", "Frukt- och nötmix", "Studenterhavre"),
        "food/snacks",
        "snack",
        (),
        (49, 89),
        (150, 250),
        palette_size=(1, 3),
        palette="snack",
        frequency=1,
        tax_class="reduced",
    ),
)

MATERIALS = {
    "recycled_polyester": Phrase("recycled polyester", "resirkulert polyester", "återvunnen polyester", "genanvendt polyester"),
    "recycled_nylon": Phrase("recycled nylon", "resirkulert nylon", "återvunnen nylon", "genanvendt nylon"),
    "polycotton": Phrase("waxed polycotton", "vokset polybomull", "vaxad polybomull", "vokset polybomuld"),
    "merino": Phrase("merino wool", "merinoull", "merinoull", "merinould"),
    "wool_blend": Phrase(
        "a wool and polyamide blend", "en blanding av ull og polyamid", "en blandning av ull och polyamid", "en blanding af uld og polyamid"
    ),
    "organic_cotton": Phrase("organic cotton", "økologisk bomull", "ekologisk bomull", "økologisk bomuld"),
    "down": Phrase("responsibly sourced down", "ansvarlig produsert dun", "ansvarsfullt producerat dun", "ansvarligt produceret dun"),
    "leather": Phrase("full-grain leather", "narvlær", "narvläder", "narvlæder"),
    "ripstop": Phrase("ripstop nylon", "ripstop-nylon", "ripstopnylon", "ripstop-nylon"),
    "aluminium": Phrase("anodised aluminium", "anodisert aluminium", "anodiserad aluminium", "anodiseret aluminium"),
    "titanium": Phrase("titanium", "titan", "titan", "titanium"),
    "carbon": Phrase("carbon fibre", "karbonfiber", "kolfiber", "kulfiber"),
}

# Each opener as (singular, plural): verbs and adjectives agree with the product name.
OPENERS = (
    (
        Phrase("is perfect for", "er perfekt for", "är perfekt för", "er perfekt til"),
        Phrase("are perfect for", "er perfekte for", "är perfekta för", "er perfekte til"),
    ),
    (
        Phrase("is a great choice for", "er et godt valg for", "är ett bra val för", "er et godt valg til"),
        Phrase("are a great choice for", "er et godt valg for", "är ett bra val för", "er et godt valg til"),
    ),
    (
        Phrase("works well for", "fungerer godt til", "fungerar bra för", "fungerer godt til"),
        Phrase("work well for", "fungerer godt til", "fungerar bra för", "fungerer godt til"),
    ),
)

MATERIAL_SENTENCE = Phrase(
    "The main material is {material}.", "Hovedmaterialet er {material}.", "Huvudmaterialet är {material}.", "Hovedmaterialet er {material}."
)

USES = {
    "mountains": Phrase("long days in the mountains", "lange dager på fjellet", "långa dagar på fjället", "lange dage i bjergene"),
    "coast": Phrase(
        "windy hikes along the coast", "vindfulle turer langs kysten", "blåsiga vandringar längs kusten", "blæsende vandreture langs kysten"
    ),
    "everyday": Phrase(
        "everyday use in town and on the trail",
        "hverdagsbruk i byen og på stien",
        "vardagsbruk i stan och på leden",
        "hverdagsbrug i byen og på stien",
    ),
    "winter": Phrase("cold winter days", "kalde vinterdager", "kalla vinterdagar", "kolde vinterdage"),
    "trek": Phrase("multi-day treks", "turer over flere dager", "flerdagarsturer", "vandreture over flere dage"),
    "weekend": Phrase("weekend trips in the forest", "helgeturer i skogen", "helgturer i skogen", "weekendture i skoven"),
    "fast": Phrase("fast and light adventures", "raske og lette eventyr", "snabba och lätta äventyr", "hurtige og lette eventyr"),
    "lunch": Phrase("lunch breaks on the trail", "lunsjpauser på tur", "lunchpauser på leden", "frokostpauser på turen"),
}

GROUP_USES = {
    "outerwear": ("mountains", "coast", "winter", "trek"),
    "insulation": ("mountains", "winter", "everyday"),
    "layers": ("mountains", "winter", "trek", "everyday"),
    "legwear": ("mountains", "trek", "everyday"),
    "footwear": ("mountains", "trek", "everyday"),
    "tent": ("trek", "weekend", "fast"),
    "sleep": ("trek", "weekend", "winter"),
    "packs": ("trek", "weekend", "everyday", "fast"),
    "stove": ("trek", "weekend", "fast"),
    "cookware": ("trek", "weekend"),
    "light": ("mountains", "winter", "fast"),
    "poles": ("mountains", "trek"),
    "accessories": ("winter", "mountains", "everyday"),
    "meal": ("lunch", "trek", "mountains"),
    "snack": ("lunch", "fast"),
}

FEATURES = {
    "outerwear": (
        Phrase(
            "Taped seams keep the rain out.",
            "Tapede sømmer holder regnet ute.",
            "Tejpade sömmar håller regnet ute.",
            "Tapede sømme holder regnen ude.",
        ),
        Phrase(
            "Underarm vents let excess heat escape.",
            "Ventiler under armene slipper ut overskuddsvarme.",
            "Ventilation under armarna släpper ut överskottsvärme.",
            "Ventilationsåbninger under armene lukker overskudsvarmen ud.",
        ),
        Phrase(
            "The adjustable hood fits over a helmet.",
            "Den justerbare hetten passer over hjelm.",
            "Den justerbara huvan passar över en hjälm.",
            "Den justerbare hætte passer over en hjelm.",
        ),
    ),
    "insulation": (
        Phrase(
            "Packs down into its own pocket.",
            "Kan pakkes ned i sin egen lomme.",
            "Kan packas ned i sin egen ficka.",
            "Kan pakkes ned i sin egen lomme.",
        ),
        Phrase(
            "Keeps you warm even when it gets damp.",
            "Holder deg varm selv når det blir fuktig.",
            "Håller dig varm även när det blir fuktigt.",
            "Holder dig varm, selv når det bliver fugtigt.",
        ),
    ),
    "layers": (
        Phrase(
            "Naturally odour-resistant on long trips.",
            "Motvirker lukt naturlig på lange turer.",
            "Motverkar lukt naturligt på långa turer.",
            "Modvirker naturligt lugt på lange ture.",
        ),
        Phrase(
            "Flat seams prevent chafing under a backpack.",
            "Flate sømmer hindrer gnag under sekken.",
            "Platta sömmar förhindrar skav under ryggsäcken.",
            "Flade sømme forhindrer gnav under rygsækken.",
        ),
        Phrase(
            "Soft against the skin and quick to dry.",
            "Myk mot huden og tørker raskt.",
            "Mjuk mot huden och torkar snabbt.",
            "Blød mod huden og tørrer hurtigt.",
        ),
    ),
    "legwear": (
        Phrase(
            "Stretch panels give freedom of movement on steep terrain.",
            "Stretchpaneler gir bevegelsesfrihet i bratt terreng.",
            "Stretchpaneler ger rörelsefrihet i brant terräng.",
            "Stretchpaneler giver bevægelsesfrihed i stejlt terræn.",
        ),
        Phrase(
            "Reinforced knees stand up to rock and scree.",
            "Forsterkede knær tåler stein og ur.",
            "Förstärkta knän tål sten och blockterräng.",
            "Forstærkede knæ tåler sten og ur.",
        ),
    ),
    "footwear": (
        Phrase(
            "The rubber outsole grips well on wet rock.",
            "Gummisålen gir godt grep på våt stein.",
            "Gummisulan ger bra grepp på våt sten.",
            "Gummisålen giver godt greb på våd sten.",
        ),
        Phrase(
            "A waterproof membrane keeps your feet dry.",
            "En vanntett membran holder føttene tørre.",
            "Ett vattentätt membran håller fötterna torra.",
            "En vandtæt membran holder fødderne tørre.",
        ),
        Phrase(
            "A cushioned midsole softens every step.",
            "En dempende mellomsåle myker opp hvert steg.",
            "En stötdämpande mellansula mjukar upp varje steg.",
            "En stødabsorberende mellemsål gør hvert skridt blødere.",
        ),
    ),
    "tent": (
        Phrase(
            "Pitches in minutes, even in strong wind.",
            "Settes opp på få minutter, selv i sterk vind.",
            "Slås upp på några minuter, även i hård vind.",
            "Slås op på få minutter, selv i kraftig vind.",
        ),
        Phrase(
            "Two vestibules give room for packs and boots.",
            "To absider gir plass til sekker og støvler.",
            "Två absider ger plats för ryggsäckar och kängor.",
            "To apsider giver plads til rygsække og støvler.",
        ),
    ),
    "sleep": (
        Phrase(
            "A draught collar keeps the warmth in on cold nights.",
            "En varmekrage holder på varmen på kalde netter.",
            "En värmekrage håller kvar värmen under kalla nätter.",
            "En varmekrave holder på varmen i kolde nætter.",
        ),
        Phrase(
            "Packs small in the included compression sack.",
            "Pakkes lite i den medfølgende kompresjonsposen.",
            "Packas litet i den medföljande kompressionspåsen.",
            "Pakkes småt i den medfølgende kompressionspose.",
        ),
    ),
    "packs": (
        Phrase(
            "An adjustable back system carries heavy loads comfortably.",
            "Et justerbart bæresystem gjør tung last komfortabel å bære.",
            "Ett justerbart bärsystem gör tung packning bekväm att bära.",
            "Et justerbart bæresystem gør tung oppakning behagelig at bære.",
        ),
        Phrase(
            "Side pockets keep a water bottle within reach.",
            "Sidelommer holder vannflasken innen rekkevidde.",
            "Sidofickor håller vattenflaskan inom räckhåll.",
            "Sidelommer holder vandflasken inden for rækkevidde.",
        ),
    ),
    "stove": (
        Phrase(
            "Boils a litre of water in under four minutes.",
            "Koker en liter vann på under fire minutter.",
            "Kokar en liter vatten på under fyra minuter.",
            "Koger en liter vand på under fire minutter.",
        ),
    ),
    "cookware": (
        Phrase(
            "Nests neatly and takes little space in your pack.",
            "Pakkes i hverandre og tar liten plass i sekken.",
            "Packas i varandra och tar liten plats i ryggsäcken.",
            "Pakkes i hinanden og fylder lidt i rygsækken.",
        ),
    ),
    "light": (
        Phrase("Recharges over USB-C.", "Lades via USB-C.", "Laddas via USB-C.", "Oplades via USB-C."),
        Phrase(
            "A red light mode keeps your night vision intact.",
            "Rødt lys bevarer nattsynet.",
            "Rött ljus bevarar mörkerseendet.",
            "Rødt lys bevarer nattesynet.",
        ),
    ),
    "poles": (
        Phrase(
            "Quick locks adjust the length even with gloves on.",
            "Hurtiglåser justerer lengden selv med hansker på.",
            "Snabblås justerar längden även med handskar på.",
            "Hurtiglåse justerer længden, selv med handsker på.",
        ),
    ),
    "accessories": (
        Phrase(
            "Keeps the cold out on windy ridges.",
            "Holder kulden ute på værharde rygger.",
            "Håller kylan ute på blåsiga fjällkammar.",
            "Holder kulden ude på blæsende bjergkamme.",
        ),
        Phrase(
            "Fits easily in a jacket pocket.", "Får lett plass i jakkelomma.", "Får lätt plats i jackfickan.", "Passer nemt i jakkelommen."
        ),
    ),
    "meal": (
        Phrase(
            "Just add boiling water and wait ten minutes.",
            "Tilsett kokende vann og vent ti minutter.",
            "Tillsätt kokande vatten och vänta tio minuter.",
            "Tilsæt kogende vand og vent ti minutter.",
        ),
        Phrase(
            "Light to carry, with plenty of energy for the next climb.",
            "Lett å bære, med god energi til neste stigning.",
            "Lätt att bära, med gott om energi till nästa stigning.",
            "Let at bære, med masser af energi til næste stigning.",
        ),
    ),
    "snack": (
        Phrase(
            "A handful gives quick energy on the move.",
            "En neve gir rask energi underveis.",
            "En näve ger snabb energi under vandringen.",
            "En håndfuld giver hurtig energi undervejs.",
        ),
        Phrase(
            "Packed in a resealable bag.",
            "Pakket i en pose som kan lukkes igjen.",
            "Förpackad i en återförslutningsbar påse.",
            "Pakket i en genlukkelig pose.",
        ),
    ),
}

# English attribute values; the storefront shows them as facets, so they stay short.
GROUP_ATTRIBUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "outerwear": {"waterproof": ("yes",), "fit": ("regular", "slim", "relaxed"), "hood": ("fixed", "removable")},
    "insulation": {"fill": ("700 fill power down", "800 fill power down", "recycled synthetic"), "fit": ("regular", "slim")},
    "layers": {"fit": ("slim", "regular", "relaxed"), "fabric_weight": ("150 g/m²", "200 g/m²", "260 g/m²")},
    "legwear": {"fit": ("regular", "slim", "relaxed"), "water_repellent": ("yes", "no")},
    "footwear": {"waterproof": ("yes", "no"), "drop": ("6 mm", "8 mm", "10 mm"), "width": ("regular", "wide")},
    "tent": {"season": ("3-season", "4-season"), "waterproof": ("yes",), "doors": ("1", "2")},
    "sleep": {"comfort_temperature": ("0 °C", "-5 °C", "-10 °C"), "shape": ("mummy",)},
    "packs": {"back_length": ("adjustable", "fixed"), "rain_cover": ("included", "not included")},
    "stove": {"fuel": ("gas", "multi-fuel"), "piezo_ignition": ("yes", "no")},
    "cookware": {"pieces": ("2", "3", "4")},
    "light": {"max_lumens": ("300", "400", "600"), "waterproof": ("yes",)},
    "poles": {"collapsed_length": ("62 cm", "68 cm"), "lock": ("flick lock", "twist lock")},
    "accessories": {"care": ("machine wash 30 °C", "hand wash")},
    "meal": {"portions": ("1", "2"), "energy": ("550 kcal", "650 kcal", "800 kcal"), "shelf_life": ("5 years",)},
    "snack": {"net_weight": ("150 g", "250 g"), "allergens": ("nuts", "nuts, milk")},
}
