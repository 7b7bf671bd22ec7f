"""The demo builder's network: organisations and links accumulated by :class:`Demo`, then written as CSV in the
import format (DESIGN.md). Every random draw comes from one ``random.Random``, so the output is the same on
every run."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import sys
from pathlib import Path

try:
    from network.model import vocabulary
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from network.model import vocabulary
from demo_roles import AREA_CODES, DEFAULT_MUNICIPALITY, LABOUR_SENDING, MINING, ROLES  # seed/, beside this one

#: The day the planted findings are relative to.
AS_OF = dt.date(2026, 11, 23)

ORGANISATION_COLUMNS = [
    "id", "name", "kind", "province", "district", "municipality", "latitude", "longitude",
    "services", "populations", "status", "sensitive", "aliases", "phone", "email", "website",
    "capacity_per_month", "description", "tags", "last_verified", "external_ids", "country", "countries_served",
    "intervention_areas",
]
LINK_COLUMNS = [
    "id", "source", "target", "kind", "services", "status", "start_date", "end_date",
    "weight", "formal", "notes", "document", "last_verified", "two_way", "programme", "grant_ref",
    "intervention_areas", "data",
]

REFERRAL_KINDS = ("referral", "mou")

def slugify(name: str) -> str:
    """Lowercase slug of ``name``: letters and digits joined by single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


class Demo:
    """Accumulates organisations and links, then writes them as CSV."""

    def __init__(self, seed: int = 2026) -> None:
        self.vocab = vocabulary()
        self.rng = random.Random(seed)
        self.orgs: dict[str, dict] = {}
        self.links: list[dict] = []
        self.sealed: set[str] = set()      # no generated links at all: every link is written by hand
        self.ref_sealed: set[str] = set()  # no generated referral or MoU links
        self.funded: set[tuple[str, str]] = set()  # (funder, district) pairs already used
        self._phone = 100
        self._pairs: set[tuple[str, str, str]] = set()

    # -- organisations -----------------------------------------------------
    def org(self, name, role, district=None, *, id=None, services=None, add=(), drop=(), populations=None,
            municipality=None, sensitive=False, status="active", aliases=(), phone=None, email=None,
            website=None, description=None, tags=(), near=None, contacts=True, kind=None, seal=None) -> str:
        """Add an organisation of ``role`` (see ROLES); return its id.

        ``services``/``populations`` replace the role's defaults, ``add``/``drop`` adjust them;
        ``near`` names a hotspot to place it by; ``contacts=False`` invents no phone, email or
        website and ``email=False`` no email; ``seal`` is ``"all"`` (every link written by hand)
        or ``"referral"`` (every referral and MoU written by hand).
        """
        role_kind, base_services, base_pops, capacity, blurb = ROLES[role]
        kind = kind or role_kind
        oid = id or slugify(name)
        assert oid not in self.orgs, oid
        rng = self.rng
        svc = list(services if services is not None else base_services)
        svc = [s for s in svc if s not in drop] + [s for s in add if s not in svc]
        pops = list(populations if populations is not None else base_pops)
        province = lat = lon = None
        if district:
            province = self.vocab.districts[district]
            municipality = municipality or DEFAULT_MUNICIPALITY[district]
            lat, lon = self._place(district, near)
        if contacts and phone is None:
            phone = self._new_phone(district, mobile=role in ("sw", "msm", "trans", "pwid"))
        if contacts and email is None:
            email = f"{'hello' if sensitive else 'info'}@{oid}.{self._domain(kind)}"
        email = email or None  # False: deliberately none
        if contacts and website is None and not sensitive and kind not in ("clinic", "hospital"):
            website = f"https://{oid}.{self._domain(kind)}"
        place = municipality or district or "southern Africa"
        tag_list = list(tags)
        if district in MINING and kind in ("trade_union", "mining_company", "cbo", "ex_mineworkers_association"):
            tag_list.append("mining_area")
        if district in LABOUR_SENDING and kind == "ex_mineworkers_association":
            tag_list.append("labour_sending_area")
        if "artisanal_miners" in pops:
            tag_list.append("artisanal_mining")
        self.orgs[oid] = {
            "id": oid, "name": name, "kind": kind, "province": province, "district": district,
            "municipality": municipality, "latitude": lat, "longitude": lon,
            "services": svc, "populations": pops, "status": status, "sensitive": sensitive,
            "aliases": list(aliases), "phone": phone, "email": email, "website": website,
            "capacity_per_month": rng.randint(*capacity) if capacity else None,
            "description": description or (f"{blurb}." if sensitive else f"{blurb} ({place})."),
            "tags": sorted(set(tag_list)),
            "last_verified": self._date(dt.date(2025, 1, 15), dt.date(2026, 11, 20)),
            "external_ids": self._external_ids(kind),
            "role": role,
        }
        if seal == "all":
            self.sealed.add(oid)
        elif seal == "referral":
            self.ref_sealed.add(oid)
        return oid

    def _place(self, district, near):
        lat0, lon0 = self.vocab.district_centres[district]
        if near:
            spot = next(h for h in self.vocab.hotspots if h["name"] == near)
            lat = spot["latitude"] + self.rng.uniform(-0.03, 0.03)
            lon = spot["longitude"] + self.rng.uniform(-0.03, 0.03)
            lat = min(max(lat, lat0 - 0.24), lat0 + 0.24)
            lon = min(max(lon, lon0 - 0.24), lon0 + 0.24)
        else:
            lat = lat0 + self.rng.uniform(-0.2, 0.2)
            lon = lon0 + self.rng.uniform(-0.2, 0.2)
        return round(lat, 5), round(lon, 5)

    def _new_phone(self, district, mobile=False):
        self._phone += self.rng.randint(3, 17)
        area = self.rng.choice(["72", "73", "82", "83", "71"]) if mobile else AREA_CODES.get(district, "11")
        return f"+27 {area} 555 {self._phone:04d}"

    @staticmethod
    def _domain(kind):
        return {"government": "example.gov.za", "mining_company": "example.co.za",
                "private_provider": "example.co.za", "academic": "example.ac.za"}.get(kind, "example.org.za")

    def _external_ids(self, kind):
        rng = self.rng
        if kind in ("clinic", "hospital"):
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            return {"dhis2": rng.choice(alphabet[:52]) + "".join(rng.choice(alphabet) for _ in range(10))}
        if kind in ("cbo", "ngo", "kp_network", "faith_based", "ex_mineworkers_association"):
            return {"npo": f"{rng.randint(10, 299):03d}-{rng.randint(1, 999):03d} NPO"}
        if kind in ("mining_company", "private_provider"):
            return {"cipc": f"{rng.randint(1995, 2020)}/{rng.randint(100000, 999999)}/07"}
        return {}

    def _date(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))

    # -- links -------------------------------------------------------------
    def link(self, source, target, kind, services=(), status="active", *, start=None, end=None, weight=None,
             formal=None, notes=None, document=None) -> dict:
        assert source in self.orgs and target in self.orgs and source != target, (source, target)
        assert kind in self.vocab.link_kinds, kind
        rng = self.rng
        if start is None and end is None:
            start, end = self._dates(status)
        if formal is None:
            formal = status != "proposed" and rng.random() < {
                "mou": 0.95, "referral": 0.6, "funding": 1.0, "membership": 0.5, "secondment": 0.9,
                "data_sharing": 0.6, "mentoring": 0.3}.get(kind, 0.05)
        if weight is None:
            weight = rng.choice({"mou": (3, 4, 5), "referral": (2, 3, 4, 5), "funding": (3, 4, 5)}.get(
                kind, (1, 2, 3, 4)))
        if document is None and formal:
            year = start.year if start else AS_OF.year
            document = f"agreements/{kind}-{year}-{len(self.links) + 1:04d}.pdf"
        link = {
            "source": source, "target": target, "kind": kind, "services": list(services), "status": status,
            "start_date": start, "end_date": end, "weight": weight, "formal": formal,
            "notes": notes if notes is not None else self._note(kind, services),
            "document": document,
            "last_verified": self._date(dt.date(2025, 1, 10), dt.date(2026, 11, 20)),
            "two_way": False,
        }
        self.links.append(link)
        self._pairs.add(self._key(source, target, kind))
        return link

    def _key(self, a, b, kind):
        if kind in self.vocab.directed_link_kinds:
            return (a, b, kind)
        return (min(a, b), max(a, b), kind)

    def has(self, a, b, kind) -> bool:
        return self._key(a, b, kind) in self._pairs

    def _dates(self, status):
        rng = self.rng
        if status == "active":
            start = self._date(dt.date(2021, 3, 1), dt.date(2026, 9, 30))
            end = None if rng.random() < 0.45 else self._date(dt.date(2027, 3, 20), dt.date(2029, 12, 31))
        elif status == "expired":
            start = self._date(dt.date(2019, 1, 1), dt.date(2023, 6, 30))
            end = self._date(dt.date(2023, 1, 1), dt.date(2026, 10, 31))
            end = max(end, start + dt.timedelta(days=365))
            end = min(end, AS_OF - dt.timedelta(days=14))
        elif status == "ended":
            start = self._date(dt.date(2020, 1, 1), dt.date(2024, 6, 30))
            end = min(start + dt.timedelta(days=rng.randint(180, 900)), AS_OF - dt.timedelta(days=30))
        else:  # proposed
            start = None if rng.random() < 0.5 else self._date(dt.date(2027, 1, 1), dt.date(2027, 6, 30))
            end = None
        return start, end

    def _note(self, kind, services):
        labels = ", ".join(self.vocab.services[s] for s in services)
        text = {
            "mou": "Memorandum of understanding", "referral": "Referral agreement", "funding": "Grant",
            "membership": "Member", "coordination": "Sits on the same coordination forum",
            "mentoring": "Organisational mentoring", "secondment": "Staff secondment",
            "training": "Training", "data_sharing": "Monthly data sharing", "advocacy": "Advocacy coalition",
        }[kind]
        return f"{text}: {labels}" if labels else text

    def auto(self, source, target, kind, services=(), status="active", **kw):
        """Add a generated link unless it would touch a sealed organisation or repeat one."""
        if source == target or self.has(source, target, kind):
            return None
        if source in self.sealed or target in self.sealed:
            return None
        if kind in REFERRAL_KINDS and (source in self.ref_sealed or target in self.ref_sealed):
            return None
        if self.orgs[source]["status"] != "active" or self.orgs[target]["status"] != "active":
            return None
        return self.link(source, target, kind, services, status, **kw)

    # -- queries -----------------------------------------------------------
    def where(self, *, role=None, kind=None, district=None, province=None, service=None, free=True):
        out = []
        for o in self.orgs.values():
            if role is not None and o["role"] not in ((role,) if isinstance(role, str) else role):
                continue
            if kind is not None and o["kind"] not in ((kind,) if isinstance(kind, str) else kind):
                continue
            if district is not None and o["district"] != district:
                continue
            if province is not None and o["province"] != province:
                continue
            if service is not None and service not in o["services"]:
                continue
            if free and (o["id"] in self.sealed or o["status"] != "active"):
                continue
            out.append(o["id"])
        return out

    def overlap(self, a, b) -> bool:
        """True if ``a`` and ``b`` serve at least one population in common (empty = everyone)."""
        pa, pb = self.orgs[a]["populations"], self.orgs[b]["populations"]
        return not pa or not pb or bool(set(pa) & set(pb))

    def partners(self, oid) -> set[str]:
        """Organisations ``oid`` can refer to along an active referral or MoU."""
        out = set()
        for link in self.links:
            if link["status"] != "active" or link["kind"] not in REFERRAL_KINDS:
                continue
            if link["end_date"] and link["end_date"] < AS_OF:
                continue
            if link["source"] == oid:
                out.add(link["target"])
            elif link["kind"] == "mou" and link["target"] == oid:
                out.add(link["source"])
        return {p for p in out if self.orgs[p]["status"] == "active"}

    # -- output ------------------------------------------------------------
    def write(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        width = len(str(len(self.links)))
        for n, link in enumerate(self.links, 1):
            link["id"] = f"l-{n:0{max(4, width)}d}"
        write_csv(out_dir / "organisations.csv", ORGANISATION_COLUMNS, self.orgs.values())
        write_csv(out_dir / "links.csv", LINK_COLUMNS, self.links)


def cell(value) -> str:
    """One CSV cell in the import format: lists joined by ';', booleans lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ";".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, columns: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: cell(row.get(c)) for c in columns})


# ---------------------------------------------------------------------------
