"""Word lists for demo customers: believable Norwegian, Swedish and Danish names, streets and cities (Finnish too, for guests)."""

from __future__ import annotations

GIVEN = {
    "NO": ("Kari", "Ingrid", "Silje", "Ingeborg", "Marit", "Sigrid", "Nora", "Emma", "Thea", "Solveig", "Astrid", "Hanne", "Tone",
           "Ola", "Lars", "Per", "Knut", "Bjørn", "Håkon", "Magnus", "Sindre", "Eirik", "Jonas", "Even", "Vegard", "Torbjørn", "Øystein"),
    "SE": ("Anna", "Maria", "Karin", "Sara", "Elin", "Linnea", "Maja", "Ebba", "Frida", "Klara", "Agnes", "Ida", "Johanna",
           "Erik", "Johan", "Anders", "Karl", "Nils", "Oskar", "Gustav", "Axel", "Viktor", "Mattias", "Fredrik", "Björn", "Pelle"),
    "DK": ("Mette", "Anne", "Hanne", "Camilla", "Line", "Sofie", "Freja", "Ida", "Louise", "Signe", "Mathilde", "Karen", "Birgitte",
           "Jens", "Søren", "Mads", "Rasmus", "Mikkel", "Anders", "Frederik", "Christian", "Thomas", "Kasper", "Niels", "Henrik"),
    "FI": ("Aino", "Emilia", "Sofia", "Helmi", "Liisa", "Johanna", "Minna", "Sanna", "Mikko", "Juha", "Jari", "Timo", "Antti",
           "Ville", "Eetu", "Lauri"),
}
FAMILY = {
    "NO": ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Berg",
           "Haugen", "Hagen", "Johannessen", "Bakken", "Lie", "Dahl", "Solberg", "Halvorsen", "Moen", "Fjeld", "Strand", "Nordmann"),
    "SE": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
           "Pettersson", "Jonsson", "Lindberg", "Lindqvist", "Bergström", "Lundgren", "Holm", "Sjöberg", "Ekström", "Nyström"),
    "DK": ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen",
           "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Møller", "Mortensen", "Skov"),
    "FI": ("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen",
           "Lehtonen", "Saarinen"),
}
# (city, country, postal codes to pick from, street names)
CITIES = (
    ("Oslo", "NO", ("0150", "0184", "0258", "0355", "0463", "0560", "0657"), ("Storgata", "Bogstadveien", "Thorvald Meyers gate",
                                                                             "Kirkeveien", "Trondheimsveien")),
    ("Bergen", "NO", ("5003", "5014", "5035", "5055"), ("Strandgaten", "Nygårdsgaten", "Kalfarveien", "Møhlenprisbakken")),
    ("Trondheim", "NO", ("7011", "7030", "7042"), ("Munkegata", "Kongens gate", "Innherredsveien")),
    ("Stavanger", "NO", ("4005", "4012", "4021"), ("Kirkegata", "Pedersgata", "Madlaveien")),
    ("Stockholm", "SE", ("111 20", "113 35", "116 46", "118 25"), ("Drottninggatan", "Götgatan", "Sveavägen", "Hornsgatan")),
    ("Göteborg", "SE", ("411 05", "413 14", "416 64"), ("Linnégatan", "Kungsportsavenyen", "Andra Långgatan")),
    ("Malmö", "SE", ("211 22", "214 21", "217 41"), ("Södra Förstadsgatan", "Davidshallsgatan", "Limhamnsvägen")),
    ("Uppsala", "SE", ("753 10", "752 36"), ("Svartbäcksgatan", "Kungsgatan", "Luthagsesplanaden")),
    ("København", "DK", ("1050", "2100", "2200", "1620"), ("Nørrebrogade", "Vesterbrogade", "Østerbrogade", "Amagerbrogade")),
    ("Aarhus", "DK", ("8000", "8200"), ("Frederiksgade", "Jægergårdsgade", "Nørre Allé")),
    ("Odense", "DK", ("5000", "5200"), ("Vestergade", "Kongensgade")),
    ("Aalborg", "DK", ("9000", "9210"), ("Boulevarden", "Vesterbro")),
    ("Helsinki", "FI", ("00100", "00130", "00530"), ("Mannerheimintie", "Bulevardi", "Hämeentie")),
    ("Tampere", "FI", ("33100", "33200"), ("Hämeenkatu", "Satakunnankatu")),
    ("Turku", "FI", ("20100", "20500"), ("Aurakatu", "Linnankatu")),
)
# Reserved example domains (RFC 2606): demo addresses must never reach a real mailbox.
EMAIL_DOMAINS = {"NO": ("example.com", "example.net", "example.org"),
                 "SE": ("example.com", "example.net", "example.org"),
                 "DK": ("example.com", "example.net", "example.org"),
                 "FI": ("example.com", "example.net", "example.org")}
# Valid mobile ranges per country (the demo never calls these numbers: they are generated at random).
MOBILE_PREFIX = {"NO": ("+474", "+479"), "SE": ("+4670", "+4672", "+4673"), "DK": ("+4520", "+4540", "+4550")}
MOBILE_DIGITS = {"NO": 7, "SE": 7, "DK": 6}
LOCALES = {"NO": "nb", "SE": "sv", "DK": "da"}
CHANNELS = {"NO": ("web-no", "app-no", "social-no", "callcenter-no"), "SE": ("web-se", "app-se", "nordmarket-se"), "DK": ("web-dk",)}
CURRENCIES = {"NO": "NOK", "SE": "SEK", "DK": "DKK"}
