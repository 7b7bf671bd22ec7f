"""Generate large synthetic partner networks for benchmarks.

    python -m bench.generate --organisations 50000 --out /tmp/net50k
    python -m bench.generate --organisations 10000 --links-per-org 5 --seed 3 --out /tmp/net10k
    python -m bench.generate --organisations 250000 --countries sadc --out /tmp/net250k

The shape imitates the demo network at scale: organisations in all 52 districts
of South Africa by default (a national network), or in every district of the
countries asked for (``--countries sadc``: the SADC member states, a regional
network), weighted toward the mining and labour-sending provinces), many CBOs and clinics
and few donors or regional bodies, services and populations drawn by kind, a
heavy-tailed degree (preferential attachment, mostly within the district, plus
provincial and national hubs: government, donors, regional bodies), referral
and MoU links dominant, about a tenth of links expired, ended or proposed, dates
around 2024-2027, coordinates near district centres, key-population groups
mostly sensitive, and a few near-duplicate records. The same seed gives the
same network.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import random
import sys
import time
import unicodedata
from collections.abc import Collection
from pathlib import Path

from network.model import DEFAULT_COUNTRY, Link, Organisation, vocabulary

#: The national benchmarks' country.
NATIONAL = (DEFAULT_COUNTRY,)

__all__ = ["generate_network", "sadc_countries", "countries_option", "NATIONAL", "write_csv_files",
           "ORGANISATION_COLUMNS", "LINK_COLUMNS"]

#: The columns of the demo network's CSV files (DESIGN.md's import format).
ORGANISATION_COLUMNS = (
    "id", "name", "kind", "province", "district", "municipality", "latitude", "longitude", "services",
    "populations", "status", "sensitive", "aliases", "phone", "email", "website", "capacity_per_month",
    "description", "tags", "last_verified", "external_ids",
)
LINK_COLUMNS = (
    "id", "source", "target", "kind", "services", "status", "start_date", "end_date", "weight", "formal",
    "notes", "document", "last_verified",
)

PROGRESS_EVERY = 100_000
#: Where a link's target is drawn: the source's district, its province's hubs, or the national hubs.
LOCAL_SHARE, NATIONAL_SHARE = 0.82, 0.05
#: Starting weight of hubs in their urns, so that a few early links do not decide who the giants are.
PROVINCE_HUB_START, NATIONAL_HUB_START = 3, 20

PROVINCE_WEIGHT = {
    "Limpopo": 3.0, "Free State": 3.0, "North West": 3.0, "Gauteng": 2.5, "Eastern Cape": 2.5,
    "Mpumalanga": 2.0, "KwaZulu-Natal": 1.2, "Northern Cape": 1.0, "Western Cape": 0.6,
}
MINING_DISTRICTS = {
    "Lejweleputswa", "Sekhukhune", "Waterberg", "Bojanala", "West Rand", "Mopani", "OR Tambo",
    "Nkangala", "Gert Sibande", "Dr Kenneth Kaunda", "John Taolo Gaetsewe", "Fezile Dabi",
}

PHC = ["tb_screening", "tb_treatment", "tb_contact_tracing", "hiv_testing", "art", "prep", "pep", "sti",
       "condom_distribution", "family_planning"]

#: kind: (share of organisations, core services, optional services, population pool,
#:        (min, max) populations, name endings, scope) -- scope is district, province or national.
PROFILES = {
    "cbo": (29, ["peer_education"],
            ["home_based_care", "tb_adherence_support", "art_adherence_support", "nutrition_support",
             "tb_screening", "hiv_testing", "condom_distribution", "dust_control_awareness",
             "documentation_support", "community_led_monitoring", "gbv_support"],
            ["mining_communities", "tb_patients", "plhiv", "agyw", "artisanal_miners", "migrants",
             "ex_mineworkers"], (1, 3),
            ["Home-Based Care", "Youth Health Club", "Community Care Group", "Health Volunteers",
             "Women's Health Circle", "Diggers Support Group", "Mining Community Forum"], "district"),
    "clinic": (20, PHC, ["mental_health", "art_adherence_support", "silicosis_screening"], [], (0, 0),
               ["Clinic", "Community Clinic", "Community Health Centre", "Gateway Clinic"], "district"),
    "ngo": (9, [], ["legal_aid", "documentation_support", "human_rights_monitoring", "gbv_support",
                    "tb_screening", "tb_adherence_support", "tb_contact_tracing", "mental_health",
                    "social_grant_linkage", "harm_reduction", "capacity_building", "research"],
            ["migrants", "ex_mineworkers", "agyw", "sex_workers", "transgender_people", "pwid", "tb_patients",
             "artisanal_miners", "mining_communities"], (1, 3),
            ["Advice Office", "Rights Centre", "Health Trust", "Support Project", "Legal Advice Centre"],
            "district"),
    "kp_network": (4, ["peer_education"], ["hiv_testing", "prep", "condom_distribution", "gbv_support",
                                           "human_rights_monitoring", "mental_health", "harm_reduction"],
                   ["sex_workers", "msm", "transgender_people", "pwid"], (1, 2),
                   ["Sisters Collective", "Men's Wellness Circle", "Trans Wellness Circle", "Peer Network"],
                   "district"),
    "faith_based": (5, ["home_based_care"], ["nutrition_support", "mental_health", "peer_education"],
                    ["plhiv", "tb_patients"], (0, 2), ["Faith Care Ministry", "Interfaith Care Fellowship"],
                    "district"),
    "ex_mineworkers_association": (4, ["peer_education", "occupational_health_compensation"],
                                   ["tb_screening", "documentation_support", "social_grant_linkage", "advocacy"],
                                   ["ex_mineworkers"], (1, 1),
                                   ["Ex-Mineworkers Association", "Retired Miners Forum"], "district"),
    "trade_union": (2, ["peer_education", "occupational_health_compensation"],
                    ["tb_screening", "hiv_testing", "dust_control_awareness", "advocacy", "mental_health"],
                    ["mineworkers"], (1, 1), ["Mineworkers Union Branch", "Mine and Allied Workers Union"],
                    "district"),
    "hospital": (3, ["tb_screening", "tb_treatment", "tb_contact_tracing", "hiv_testing", "art", "pep", "sti"],
                 ["mental_health", "silicosis_screening", "benefit_medical_examination", "opioid_substitution"],
                 [], (0, 0), ["District Hospital", "Regional Hospital"], "district"),
    "government": (6, [], ["social_grant_linkage", "documentation_support", "capacity_building", "funding",
                           "community_led_monitoring"], [], (0, 0),
                   ["Social Grants Office", "District AIDS Council", "Health Sub-District Office"], "district"),
    "mining_company": (2, ["silicosis_screening", "benefit_medical_examination", "dust_control_awareness"],
                       ["tb_screening", "hiv_testing", "art", "funding", "occupational_health_compensation"],
                       ["mineworkers"], (1, 1), ["Mining Ltd", "Platinum Ltd", "Gold Mining Company"], "district"),
    "private_provider": (3, ["silicosis_screening"], ["benefit_medical_examination", "tb_screening", "hiv_testing"],
                         ["mineworkers", "ex_mineworkers"], (0, 2), ["Occupational Health Practice"], "district"),
    "academic": (1, ["research"], ["capacity_building", "community_led_monitoring"], [], (0, 0),
                 ["Health Research Unit", "Institute for Community Health"], "province"),
    "industry_body": (0.5, ["advocacy"], ["dust_control_awareness", "capacity_building"], [], (0, 0),
                      ["Mining Chamber", "Chamber of Mines"], "province"),
    "donor": (0.4, ["funding"], [], [], (0, 0), ["Health Fund", "Community Health Trust", "Foundation"],
              "national"),
    "regional_body": (0.1, ["advocacy"], ["capacity_building", "human_rights_monitoring", "research"],
                      ["mineworkers", "ex_mineworkers", "migrants"], (0, 2), ["Regional Alliance", "Regional Forum"],
                      "national"),
    "other": (1, [], ["peer_education", "community_led_monitoring", "advocacy"], [], (0, 0),
              ["Community Radio", "Burial Society"], "district"),
}

#: Link kinds between ordinary partners, by weight; funding and membership are added by kind of partner.
LINK_KIND_WEIGHTS = {
    "referral": 34, "mou": 20, "coordination": 11, "training": 7, "data_sharing": 6, "mentoring": 5,
    "advocacy": 5, "secondment": 3, "membership": 4, "funding": 5,
}
FUNDERS = {"donor", "government", "mining_company", "regional_body"}
HUB_KINDS = {"government", "donor", "regional_body", "hospital", "academic", "industry_body", "ngo"}
STATUS_WEIGHTS = {"active": 90, "expired": 5, "ended": 2, "proposed": 3}
FORMAL_SHARE = {"mou": 0.95, "funding": 1.0, "secondment": 0.9, "referral": 0.6, "data_sharing": 0.6,
                "membership": 0.5, "mentoring": 0.3}

SYLLABLES = ["ma", "mo", "ka", "ko", "tla", "tsha", "nga", "se", "ba", "bo", "pha", "lu", "si", "tho", "zwe",
             "nda", "le", "thu", "kwe", "ze", "gcu", "qo", "lo", "ra", "mu", "vhu", "hle", "ti", "no", "phu",
             "sa", "di", "mba", "ngo", "te", "we", "ya", "fe", "dla", "khu"]
AREA_CODES = {"Eastern Cape": "47", "Free State": "57", "Gauteng": "11", "KwaZulu-Natal": "31", "Limpopo": "15",
              "Mpumalanga": "13", "North West": "14", "Northern Cape": "53", "Western Cape": "21"}
DOMAINS = {"government": "example.gov.za", "mining_company": "example.co.za", "private_provider": "example.co.za",
           "academic": "example.ac.za"}


def generate_network(
    n_organisations: int, links_per_org: float = 10, seed: int = 1, countries: Collection[str] = NATIONAL,
) -> tuple[list[Organisation], list[Link]]:
    """Generate a synthetic partner network.

    Parameters
    ----------
    n_organisations : int
        How many organisations (near-duplicate records included).
    links_per_org : float
        Links per organisation; the network has ``round(n_organisations * links_per_org)`` links.
    seed : int
        Seed of the random generator: the same seed gives the same network.
    countries : collection of str
        ISO codes of the countries whose districts the organisations are in: South Africa alone by
        default (the national benchmarks), ``sadc_countries()`` for the regional one.

    Returns
    -------
    (organisations, links) : tuple of lists
        Ids are ``o<number>-<name slug>`` and ``l-<number>``.

    Examples
    --------
    >>> orgs, links = generate_network(200, links_per_org=4, seed=3)
    >>> len(orgs), len(links)
    (200, 800)
    >>> ids = {o.id for o in orgs}
    >>> all(link.source in ids and link.target in ids and link.source != link.target for link in links)
    True
    """
    if n_organisations < 2:
        raise ValueError("a network needs at least two organisations")
    rng = random.Random(seed)
    vocab = vocabulary()
    organisations = _organisations(rng, vocab, n_organisations, set(countries))
    links = _links(rng, organisations, round(n_organisations * links_per_org))
    return organisations, links


def sadc_countries() -> tuple[str, ...]:
    """The SADC member states the vocabulary knows, as ISO codes (the regional benchmark's countries)."""
    return tuple(vocabulary().countries)


def countries_option(text: str) -> tuple[str, ...]:
    """``--countries``: ``sadc`` or comma-separated ISO codes the vocabulary knows."""
    if text.strip().lower() == "sadc":
        return sadc_countries()
    codes = tuple(code.strip().upper() for code in text.split(",") if code.strip())
    unknown = [code for code in codes if code not in vocabulary().countries]
    if unknown or not codes:
        named = ", ".join(unknown) or repr(text)
        raise argparse.ArgumentTypeError(f"unknown country {named}; known: {', '.join(vocabulary().countries)} or sadc")
    return codes


def write_csv_files(organisations: list[Organisation], links: list[Link], folder: str | Path) -> tuple[Path, Path]:
    """Write ``organisations.csv`` and ``links.csv`` into ``folder`` in the import format; return their paths.

    Lists are joined with ``;``, ``external_ids`` as ``key=value;key=value``, booleans as
    ``true``/``false``, dates as ISO dates and nothing as an empty cell.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "organisations.csv", folder / "links.csv"
    for path, columns, items in ((paths[0], ORGANISATION_COLUMNS, organisations), (paths[1], LINK_COLUMNS, links)):
        cells = [(column, _FORMATS.get(column, _text)) for column in columns]
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([fmt(getattr(item, column)) for column, fmt in cells] for item in items)
    return paths


def _text(value) -> str:
    return "" if value is None else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def _joined(values: list[str]) -> str:
    return ";".join(values)


def _pairs(values: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(values.items()))


_FORMATS = {
    "services": _joined, "populations": _joined, "aliases": _joined, "tags": _joined,
    "sensitive": _flag, "formal": _flag, "last_verified": _date, "start_date": _date, "end_date": _date,
    "external_ids": _pairs,
}


# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------
def _organisations(rng: random.Random, vocab, n: int, countries: set[str]) -> list[Organisation]:
    provinces = [p for p in vocab.provinces if vocab.country_of(p) in countries]
    if not provinces:
        raise ValueError(f"no divisions known for countries {sorted(countries)}")
    districts = [d for p in provinces for d in vocab.provinces[p]]
    district_weights = list(itertools.accumulate(
        PROVINCE_WEIGHT.get(vocab.districts[d], 1.0) * (2.0 if d in MINING_DISTRICTS else 1.0) for d in districts))
    kinds = list(PROFILES)
    kind_weights = list(itertools.accumulate(PROFILES[k][0] for k in kinds))
    dates = _date_pool(dt.date(2025, 1, 1), dt.date(2026, 11, 20))
    n_duplicates = n // 200
    organisations: list[Organisation] = []
    for i in range(n - n_duplicates):
        kind = kinds[bisect.bisect(kind_weights, rng.random() * kind_weights[-1])]
        _, core, optional, pop_pool, (pmin, pmax), endings, scope = PROFILES[kind]
        if scope == "district" or (scope == "province" and rng.random() < 0.5):
            district = districts[bisect.bisect(district_weights, rng.random() * district_weights[-1])]
            province = vocab.districts[district]
        elif scope == "province":
            district, province = None, rng.choice(provinces)
        else:
            district = province = None
        if kind == "government" and rng.random() < 0.1:  # provincial departments: a province, no district
            district = None
        services = core + rng.sample(optional, rng.randint(min(1, len(optional)), min(3, len(optional))))
        populations = rng.sample(pop_pool, rng.randint(pmin, pmax)) if pop_pool else []
        place = _place_name(rng) if district or not province else province
        name = f"{place} {rng.choice(endings)}"
        if district and rng.random() < 0.15:
            name = f"{district} {rng.choice(endings)}"
        oid = f"o{i}-{_slug(name)}"
        lat = lon = None
        if district:
            lat0, lon0 = vocab.district_centres[district]
            lat, lon = round(lat0 + rng.uniform(-0.25, 0.25), 5), round(lon0 + rng.uniform(-0.25, 0.25), 5)
        area = AREA_CODES.get(province, "12")
        sensitive = kind == "kp_network" and rng.random() < 0.8
        organisations.append(Organisation(
            id=oid, name=name, kind=kind, province=province, district=district,
            country=vocab.country_of(province, district) or DEFAULT_COUNTRY,
            municipality=f"{place} Local Municipality" if district else None, latitude=lat, longitude=lon,
            services=services, populations=populations,
            capacity_per_month=rng.randint(20, 2000) if kind not in ("donor", "regional_body") else None,
            phone=f"+27 {area} {555 + i // 10000} {i % 10000:04d}",
            email=f"info@{_label(oid)}.{DOMAINS.get(kind, 'example.org.za')}",
            website=None if sensitive else f"https://{_label(oid)}.{DOMAINS.get(kind, 'example.org.za')}",
            status="inactive" if rng.random() < 0.02 else "active", sensitive=sensitive,
            tags=["synthetic"], external_ids={"dhis2": f"F{i:010d}"} if kind in ("clinic", "hospital") else {},
            description=f"Synthetic {kind.replace('_', ' ')} for benchmarks.",
            last_verified=rng.choice(dates),
        ))
    for j in range(n_duplicates):
        organisations.append(_near_duplicate(rng, rng.choice(organisations[: n - n_duplicates]), n - n_duplicates + j))
    return organisations


def _near_duplicate(rng: random.Random, original: Organisation, i: int) -> Organisation:
    """A second record of ``original``: a respelled name, sometimes the same phone or email."""
    name = original.name
    for a, b in (("Association", "Assoc."), ("Community", "Comm."), ("Ex-Mineworkers", "Ex Mine Workers"),
                 ("Home-Based", "Home Based"), ("Health", "Hlth"), ("'", "")):
        if a in name:
            name = name.replace(a, b)
            break
    else:
        name = name.upper() if rng.random() < 0.3 else name + " (Pty)"
    oid = f"o{i}-{_slug(name)}"
    r = rng.random()
    return Organisation(
        id=oid, name=name, kind=original.kind, province=original.province, district=original.district,
        country=original.country, municipality=original.municipality, latitude=original.latitude,
        longitude=original.longitude,
        services=list(original.services), populations=list(original.populations),
        phone=original.phone if r < 0.5 else None, email=original.email if 0.5 <= r < 0.8 else None,
        status=original.status, sensitive=original.sensitive, tags=["synthetic", "possible_duplicate"],
        description=original.description, last_verified=original.last_verified,
    )


def _place_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _label(oid: str) -> str:
    """``oid`` as a domain name label: at most 63 characters, not ending in a hyphen."""
    return oid[:63].rstrip("-")


def _slug(name: str) -> str:
    """``name`` as the ASCII letters and digits an id may hold (``Kasaï`` -> ``kasai``)."""
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def _date_pool(lo: dt.date, hi: dt.date) -> list[dt.date]:
    return [lo + dt.timedelta(days=d) for d in range((hi - lo).days + 1)]


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------
def _links(rng: random.Random, organisations: list[Organisation], n_links: int) -> list[Link]:
    """Preferential attachment: a random source, a target drawn in proportion to its degree so far."""
    n = len(organisations)
    kinds = [o.kind for o in organisations]
    # Urns hold each organisation once plus once per link it already has.
    by_district: dict[str, list[int]] = {}
    by_province: dict[str, list[int]] = {}
    national: list[int] = []
    home: list[list[int]] = []
    for i, o in enumerate(organisations):
        if o.district:
            by_district.setdefault(o.district, []).append(i)
        if o.province and (o.district is None or o.kind in HUB_KINDS):
            by_province.setdefault(o.province, []).extend([i] * PROVINCE_HUB_START)
        if o.province is None or o.kind in ("donor", "regional_body"):
            national.extend([i] * NATIONAL_HUB_START)
    everyone = list(range(n))
    national = national or list(everyone)
    for o in organisations:
        home.append(by_district.get(o.district) or by_province.get(o.province) or national)
    province_urn = [by_province.get(o.province) or national for o in organisations]
    funders = [i for i in everyone if kinds[i] in FUNDERS] or everyone

    link_kinds = list(LINK_KIND_WEIGHTS)
    kind_cum = list(itertools.accumulate(LINK_KIND_WEIGHTS.values()))
    statuses = list(STATUS_WEIGHTS)
    status_cum = list(itertools.accumulate(STATUS_WEIGHTS.values()))
    active_starts = _date_pool(dt.date(2022, 1, 1), dt.date(2026, 10, 31))
    active_ends = _date_pool(dt.date(2027, 1, 1), dt.date(2028, 12, 31))
    past_starts = _date_pool(dt.date(2020, 1, 1), dt.date(2023, 12, 31))
    past_ends = _date_pool(dt.date(2024, 1, 1), dt.date(2026, 10, 31))
    future_starts = _date_pool(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    verified = _date_pool(dt.date(2025, 1, 1), dt.date(2026, 11, 20))
    random_ = rng.random
    choice = rng.choice
    randint = rng.randint

    links: list[Link] = []
    seen: set[tuple[int, int, str]] = set()
    started = time.perf_counter()
    width = max(5, len(str(n_links)))
    attempts = 0
    while len(links) < n_links:
        attempts += 1
        if attempts > 100 * n_links + 10_000:
            raise ValueError(f"cannot place {n_links:,} distinct links among {n:,} organisations")
        s = int(random_() * n)
        r = random_()
        urn = home[s] if r < LOCAL_SHARE else province_urn[s] if r < 1 - NATIONAL_SHARE else national
        if organisations[s].province is None and r < LOCAL_SHARE:
            urn = everyone
        t = choice(urn)
        if t == s:
            continue
        kind = link_kinds[bisect.bisect(kind_cum, random_() * kind_cum[-1])]
        if kind == "funding" and kinds[s] not in FUNDERS:
            if kinds[t] in FUNDERS:
                s, t = t, s
            else:
                s = choice(funders)
        elif kinds[t] == "donor":
            kind, s, t = "funding", t, s
        elif kinds[s] == "donor":
            kind = "funding"
        if s == t or (s, t, kind) in seen:
            continue
        seen.add((s, t, kind))
        status = statuses[bisect.bisect(status_cum, random_() * status_cum[-1])]
        if status == "active":
            start, end = choice(active_starts), (choice(active_ends) if random_() < 0.55 else None)
        elif status == "proposed":
            start, end = (choice(future_starts) if random_() < 0.5 else None), None
        else:
            start, end = choice(past_starts), choice(past_ends)
        target_services = organisations[t].services
        formal = status != "proposed" and random_() < FORMAL_SHARE.get(kind, 0.05)
        number = len(links) + 1
        links.append(Link(
            id=f"l-{number:0{width}d}", source=organisations[s].id, target=organisations[t].id, kind=kind,
            services=[choice(target_services)] if target_services and kind != "membership" else [],
            status=status, start_date=start, end_date=end, weight=randint(1, 5), formal=formal,
            document=f"agreements/{kind}-{number}.pdf" if formal else None, notes="",
            last_verified=choice(verified),
        ))
        home[s].append(s)
        home[t].append(t)
        if kinds[t] in HUB_KINDS:
            province_urn[t].append(t)
        if number % PROGRESS_EVERY == 0:
            print(f"  {number:,}/{n_links:,} links ({time.perf_counter() - started:.1f} s)", file=sys.stderr,
                  flush=True)
    return links


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, required=True, help="number of organisations")
    parser.add_argument("--links-per-org", type=float, default=10.0, help="links per organisation (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder for organisations.csv and links.csv")
    parser.add_argument("--countries", default="ZA", type=countries_option,
                        help="ISO codes, comma-separated, or 'sadc' for every SADC member state (default ZA)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    organisations, links = generate_network(args.organisations, args.links_per_org, args.seed, args.countries)
    generated = time.perf_counter() - started
    print(f"generated {len(organisations):,} organisations and {len(links):,} links in {generated:.1f} s",
          file=sys.stderr, flush=True)
    orgs_path, links_path = write_csv_files(organisations, links, args.out)
    print(f"wrote {orgs_path} and {links_path} in {time.perf_counter() - started - generated:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
