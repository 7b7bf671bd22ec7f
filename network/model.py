"""The domain: organisations, links between them, and the vocabularies they use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "Organisation",
    "Link",
    "Vocabulary",
    "vocabulary",
    "seed_dir",
    "ORGANISATION_STATUSES",
    "LINK_STATUSES",
    "SAFE_ORGANISATION_FIELDS",
    "PROTECTED_FIELDS",
    "is_link_active",
    "today",
    "DEFAULT_COUNTRY",
    "Programme",
    "programme_records",
]

ORGANISATION_STATUSES = ("active", "inactive")
LINK_STATUSES = ("proposed", "active", "expired", "ended")
#: The country of an organisation whose record names none (ISO 3166-1 alpha-2).
DEFAULT_COUNTRY = "ZA"

#: Fields the store maintains itself; callers never set them.
STORE_FIELDS = ("updated_at", "version")

#: Fields of a sensitive organisation that anonymous and viewer callers never see.
PROTECTED_FIELDS = ("latitude", "longitude", "municipality", "phone", "email", "website", "description",
                    "external_ids")


@dataclass
class Organisation:
    """A node of the partner network: one organisation."""

    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    province: str | None = None
    district: str | None = None
    municipality: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    services: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    capacity_per_month: int | None = None
    languages: list[str] = field(default_factory=list)
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    status: str = "active"
    sensitive: bool = False
    tags: list[str] = field(default_factory=list)
    external_ids: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    country: str = DEFAULT_COUNTRY
    countries_served: list[str] = field(default_factory=list)
    intervention_areas: list[str] = field(default_factory=list)
    last_verified: dt.date | None = None
    verified_by: str | None = None
    updated_at: dt.datetime | None = None
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the organisation as a plain dict (dates stay date objects)."""
        return dataclasses.asdict(self)

    def serves(self, population: str) -> bool:
        """True if the organisation serves ``population`` (empty means everyone)."""
        return not self.populations or population in self.populations


@dataclass
class Link:
    """An edge of the partner network: one agreement or tie between two organisations."""

    id: str
    source: str
    target: str
    kind: str
    services: list[str] = field(default_factory=list)
    status: str = "active"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    weight: int = 3
    formal: bool = False
    document: str | None = None
    notes: str = ""
    last_verified: dt.date | None = None
    two_way: bool = False
    programme: str | None = None
    grant_ref: str | None = None
    verified_by: str | None = None
    intervention_areas: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    updated_at: dt.datetime | None = None
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the link as a plain dict (dates stay date objects)."""
        return dataclasses.asdict(self)

    def is_active(self, as_of: dt.date) -> bool:
        """True if the link is in force on ``as_of``."""
        return is_link_active(self.status, self.start_date, self.end_date, as_of)


@dataclass(frozen=True)
class Programme:
    """A funded programme: its grants are the funding links that name it in ``programme``.

    Programmes are reference data, like the vocabulary: ``seed/vocabulary/programmes.json``.
    """

    id: str
    name: str
    funder: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    intervention_areas: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    description: str = ""


def programme_records() -> list[dict[str, Any]]:
    """The programme records of ``seed/vocabulary/programmes.json`` as written (none when the file is absent)."""
    path = seed_dir() / "vocabulary" / "programmes.json"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return list(json.load(fh))


ORGANISATION_FIELDS = tuple(f.name for f in dataclasses.fields(Organisation))
LINK_FIELDS = tuple(f.name for f in dataclasses.fields(Link))
SAFE_ORGANISATION_FIELDS = tuple(f for f in ORGANISATION_FIELDS if f not in PROTECTED_FIELDS)


def is_link_active(
    status: str, start_date: dt.date | None, end_date: dt.date | None, as_of: dt.date
) -> bool:
    """True if a link with this status and these dates is in force on ``as_of`` (see ``network.meanings.in_force``).

    >>> import datetime as dt
    >>> is_link_active("active", None, dt.date(2026, 1, 31), dt.date(2026, 2, 1))
    False
    """
    from network.meanings import in_force

    return in_force({"status": status, "start_date": start_date, "end_date": end_date}, as_of)


def today() -> dt.date:
    """The as-of date used when a caller gives none."""
    return dt.date.today()


_DEFAULT_SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
_DEFAULT_SEED_DIR_TEXT = str(_DEFAULT_SEED_DIR)


def seed_dir() -> Path:
    """The folder holding vocabularies and the demo network (``CSSNET_SEED_DIR`` overrides)."""
    override = os.environ.get("CSSNET_SEED_DIR")
    return Path(override) if override else _DEFAULT_SEED_DIR


@dataclass(frozen=True)
class Vocabulary:
    """Codes the network may use, loaded from ``seed/vocabulary``."""

    services: dict[str, str]
    populations: dict[str, str]
    essential_services: dict[str, tuple[str, ...]]
    organisation_kinds: dict[str, str]
    link_kinds: dict[str, str]
    directed_link_kinds: frozenset[str]
    intervention_areas: dict[str, str]
    cascade_rules: tuple[tuple[str, str], ...]
    provinces: dict[str, tuple[str, ...]]
    district_centres: dict[str, tuple[float, float]]
    hotspots: tuple[dict[str, Any], ...]
    countries: dict[str, str] = field(default_factory=dict)
    province_countries: dict[str, str] = field(default_factory=dict)
    country_centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    data_kinds: dict[str, str] = field(default_factory=dict)
    division_words: dict[str, str] = field(default_factory=dict)
    province_centres: dict[str, tuple[float, float]] = field(default_factory=dict)

    @cached_property
    def districts(self) -> dict[str, str]:
        """Map every district to its province (worked out once per vocabulary; do not modify it)."""
        return {d: p for p, ds in self.provinces.items() for d in ds}

    def country_of(self, province: str | None, district: str | None = None) -> str | None:
        """The country (ISO code) a province or district is in, if the vocabulary knows it.

        >>> vocabulary().country_of(None, "Maseru"), vocabulary().country_of("Limpopo")
        ('LS', 'ZA')
        """
        return self.province_countries.get(province or self.districts.get(district or "", ""))

    def provinces_of(self, country: str) -> list[str]:
        """The first-level divisions of ``country`` (its provinces, regions, districts or islands), in order.

        >>> vocabulary().provinces_of("KM"), vocabulary().division_words["KM"]
        (['Grande Comore', 'Anjouan', 'Mohéli'], 'island')
        """
        return [p for p, c in self.province_countries.items() if c == country]

    def country_label(self, code: str | None) -> str:
        """A country's name, or the code itself when unknown."""
        return self.countries.get(code or "", code or "")

    def next_services(self, service: str) -> tuple[str, ...]:
        """Services a client needs after ``service``, by the care-cascade rules."""
        return tuple(needs for after, needs in self.cascade_rules if after == service)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the whole vocabulary."""
        return {
            "services": [{"code": c, "label": v} for c, v in self.services.items()],
            "populations": [
                {"code": c, "label": v, "essential_services": list(self.essential_services[c])}
                for c, v in self.populations.items()
            ],
            "organisation_kinds": [{"code": c, "label": v} for c, v in self.organisation_kinds.items()],
            "link_kinds": [
                {"code": c, "label": v, "directed": c in self.directed_link_kinds}
                for c, v in self.link_kinds.items()
            ],
            "intervention_areas": [{"code": c, "label": v} for c, v in self.intervention_areas.items()],
            "cascade_rules": [{"after": a, "needs": n} for a, n in self.cascade_rules],
            "provinces": [{"name": p, "country": self.province_countries.get(p), "districts": list(ds)}
                          for p, ds in self.provinces.items()],
            "countries": [{"code": c, "name": n} for c, n in self.countries.items()],
            "data_kinds": [{"code": c, "label": v} for c, v in self.data_kinds.items()],
            "hotspots": list(self.hotspots),
        }


@lru_cache(maxsize=4)
def _load_vocabulary(seed: str) -> Vocabulary:
    base = Path(seed) / "vocabulary"

    def read(name: str) -> Any:
        with open(base / f"{name}.json", encoding="utf-8") as fh:
            return json.load(fh)

    populations = read("populations")
    link_kinds = read("link_kinds")
    geography = read("geography")
    provinces = [(c, p) for c in geography["countries"] for p in c["provinces"]]
    return Vocabulary(
        services={s["code"]: s["label"] for s in read("services")},
        populations={p["code"]: p["label"] for p in populations},
        essential_services={p["code"]: tuple(p["essential_services"]) for p in populations},
        organisation_kinds={k["code"]: k["label"] for k in read("organisation_kinds")},
        link_kinds={k["code"]: k["label"] for k in link_kinds},
        directed_link_kinds=frozenset(k["code"] for k in link_kinds if k["directed"]),
        intervention_areas={a["code"]: a["label"] for a in read("intervention_areas")},
        cascade_rules=tuple((r["after"], r["needs"]) for r in read("cascade_rules")),
        provinces={p["name"]: tuple(d["name"] for d in p["districts"]) for _, p in provinces},
        district_centres={d["name"]: (d["latitude"], d["longitude"]) for _, p in provinces for d in p["districts"]},
        hotspots=tuple(geography.get("hotspots", [])),
        countries={c["code"]: c["name"] for c in geography["countries"]},
        province_countries={p["name"]: c["code"] for c, p in provinces},
        country_centres={c["code"]: (c["latitude"], c["longitude"]) for c in geography["countries"]},
        division_words={c["code"]: c["level_1"] for c in geography["countries"]},
        province_centres={p["name"]: _province_centre(p) for _, p in provinces},
        data_kinds={d["code"]: d["label"] for d in read("data_kinds")},
    )


def _province_centre(province: dict[str, Any]) -> tuple[float, float]:
    """A province's approximate centre: the one the vocabulary gives, else the mean of its districts' centres.

    >>> _province_centre({"districts": [{"latitude": -24.0, "longitude": 29.0},
    ...                                 {"latitude": -25.0, "longitude": 30.0}]})
    (-24.5, 29.5)
    """
    if province.get("latitude") is not None and province.get("longitude") is not None:
        return (province["latitude"], province["longitude"])
    districts = province["districts"]
    return (round(sum(d["latitude"] for d in districts) / len(districts), 4),
            round(sum(d["longitude"] for d in districts) / len(districts), 4))


def vocabulary() -> Vocabulary:
    """The vocabulary in force (cached per seed folder)."""
    return _load_vocabulary(os.environ.get("CSSNET_SEED_DIR") or _DEFAULT_SEED_DIR_TEXT)
