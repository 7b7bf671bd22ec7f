"""Build the illustrative demo network: ``seed/demo/organisations.csv`` and ``links.csv``.

The demo is a fictional partner network for a community systems strengthening
programme in the Eastern Cape, Free State and Limpopo, with the mining areas of
North West (Bojanala) and Gauteng (West Rand). Local organisations, clinics,
donors and companies are invented; SADC, AUDA-NEPAD, ARASA and SAT are real
regional bodies, but every link drawn to them here is invented.

The organisations are data: ``seed/roster/organisations.csv`` (one row each,
read by :func:`add_organisations`); the links are drawn here, by hand for the
plants and generated around them; the cross-border partners, data flows,
intervention areas and the Beyond Zero-like programme come last, from
``seed/demo_borders.py``. Run ``python seed/build_demo.py [FOLDER]``
(stdlib only, no network access; the output is the same on every run:
``random.Random(2026)``; FOLDER defaults to ``seed/demo/``). The CSVs follow
the import format in DESIGN.md.

Planted findings (relative to AS_OF = 2026-11-23; "referral layer" means the
links in force that carry a client: referrals from source to target, both ways
when marked two_way, and MoUs both ways, between active organisations serving
the client's population; see network/meanings.py):

isolated (active organisation, no active link)
    phuthaditjhaba-mens-health-forum      no links at all
    lephalale-mine-widows-support-group   no links at all
    ntabankulu-youth-against-tb           only a *proposed* MoU
    botshabelo-mineworkers-hospice        only an *expired* MoU
broken_cascade (tb_screening without a route to tb_treatment)
    virginia-mobile-health-point          its referral to the hospital *expired* (2026-06-30)
    sekgakgapeng-satellite-clinic         its referral to the hospital is only *proposed*
broken_cascade (silicosis_screening without a route to compensation)
    tsolo-occupational-lung-screening-site   its referral to the compensation service
                                             point *ended*; TB referral still active
uncovered
    Chris Hani / ex_mineworkers / benefit_medical_examination and silicosis_screening:
    two ex-mineworkers associations serve ex-miners, nobody in the district offers either.
    (Consequences of other plants or of the real situation also show: Alfred Nzo and
    Joe Gqabi ex-miners lack silicosis screening, benefit medical examinations and
    compensation; Lejweleputswa artisanal miners lack silicosis screening; West Rand
    people who inject drugs lack opioid substitution.)
unreachable
    Alfred Nzo / ex_mineworkers / occupational_health_compensation: providers exist
    (mines-occupational-compensation-office and the service points) but the district's
    only referral route out is umzimvubu-district-hospital -> elundini-district-hospital
    -> ugie-ex-mineworkers-committee -> joe-gqabi-rural-paralegal-office -> compensation
    office: 4 hops from the hospital, 5-6 from the other Alfred Nzo organisations, and
    none at all from some. Nobody in Alfred Nzo offers compensation, so the gap is
    reported once, as uncovered (one cause, one finding), never also as unreachable.
    Unreachable proper (a provider works in the district, no route to it): Alfred Nzo /
    migrants (matatiele-advice-office reaches no TB or HIV service within 3 steps) and
    Waterberg / mining_communities (the three mining-community groups).
single_point_of_failure
    apel-cross-community-clinic is the only route from four Sekhukhune CBOs
    (ga-mampuru-home-based-care, mecklenburg-youth-health-club, atok-womens-health-circle,
    fetakgomo-chrome-diggers-support-group) to TB treatment (tubatse-district-hospital).
    Every single point of failure is an organisation that passes clients on, without
    offering the service, on every route of at least two others (14 findings).
two_way
    Every referral agreement from a clinic or hospital to a home-based-care group runs
    both ways (the group refers clients back), e.g. giyani-home-based-care-network's
    three agreements with the Mopani facilities: the group reaches them too.
siloed_cluster
    Vhembe (Musina): musina-cross-border-health-committee, beitbridge-road-womens-savings-
    and-health-club, madimbo-corridor-farmworkers-group, musina-faith-healing-fellowship,
    limpopo-river-youth-drama-troupe, nancefield-community-care-group: all fifteen pairs
    tied, exactly one active tie out (a referral to musina-community-clinic); their only
    grant has expired. Louvain finds them as one community for every seed tried (0-99).
service_overlap (uncoordinated), Lejweleputswa
    artisanal_miners peer_education + dust_control_awareness + tb_screening:
        virginia-artisanal-miners-health-outreach, goldfields-informal-miners-support-project,
        meloding-diggers-wellness-group
    sex_workers peer_education + gbv_support: masedi-womens-health-collective,
        matjhabeng-night-outreach
    tb_patients home_based_care + tb_adherence_support: thabong-home-based-care-group,
        kutlwanong-caring-hands (and welkom-home-based-care-network, which sits on the
        district AIDS council the other two never joined)
    (no link between them, no shared forum, different funders and referral partners)
duplicate_record
    sekhukhune-ex-mineworkers-association vs sekhukhune-ex-mine-workers-assoc (name)
    mokopane-mining-communities-forum vs mogalakwena-mine-affected-communities-network (phone)
    mthatha-migrant-workers-support-centre vs ksd-migrant-support-centre (email)
funding_overlap
    ubuntu-health-fund funds photsaneng-mining-community-support-group, bapong-youth-against-tb
    and mfidikwe-community-health-forum for tb_screening and dust_control_awareness among
    mining_communities in Bojanala.
inactive
    no-7-shaft-wellness-centre (an *active*-status MoU still points at it)
    lusikisiki-youth-health-forum
expiring_agreement (an agreement in force of any kind ending within 90 days of AS_OF)
    the seven links in EXPIRING (l-0001 .. l-0007, ending 2026-12-01 .. 2027-02-10) and
    the grant in EXPIRING_GRANT (l-0955, masakhane-community-health-trust ->
    giyani-home-based-care-network, ending 2026-12-20); one more MoU ends on 2027-03-15,
    just outside the window.
also
    driekop-artisanal-miners-association screens artisanal miners for silicosis, but no
    compensation provider serves artisanal miners: a second, unplanned broken cascade.
    A pathway exists for the outreach worker's question in DESIGN.md: sekhukhune-chrome-
    diggers-health-project -> praktiseer-community-clinic (TB treatment) -> sekhukhune-
    district-social-grants-office (documents and grants).
    A referral plan for a sex worker who needs gender-based violence support, PEP and
    legal aid: masedi-womens-health-collective (GBV support) refers her to
    thabong-community-clinic (PEP) and to lejweleputswa-paralegal-advice-office (legal aid).

Every other organisation offering a service with a care-cascade successor gets an
active referral or MoU to a provider of that successor, every other active
organisation has at least one active link and sits on its district AIDS council
where there is one, and each funder funds at most one organisation per district
(the planted overlap aside), so the plants stand out.
"""

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
import demo_monitoring
import demo_surveys  # seed/demo_surveys.py, beside this script
from demo_referrals import write_referrals  # seed/demo_referrals.py, beside this script

AS_OF = dt.date(2026, 11, 23)
OUT_DIR = Path(__file__).resolve().parent / "demo"

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

# ---------------------------------------------------------------------------
# Roles: kind, default services, default populations, capacity range, blurb.
# ---------------------------------------------------------------------------
PHC = ["tb_screening", "tb_treatment", "tb_contact_tracing", "hiv_testing", "art", "prep", "pep",
       "sti", "condom_distribution", "family_planning"]
ROLES = {
    "clinic": ("clinic", PHC, [], (300, 1200), "Public primary health care clinic"),
    "hospital": ("hospital", ["tb_screening", "tb_treatment", "tb_contact_tracing", "hiv_testing", "art",
                              "pep", "sti", "mental_health"], [], (1500, 5000), "District hospital"),
    "tb_hospital": ("hospital", ["tb_screening", "tb_treatment", "tb_contact_tracing", "hiv_testing", "art"],
                    [], (400, 1500), "Specialised TB hospital (drug-resistant TB and complicated cases)"),
    "exmin": ("ex_mineworkers_association",
              ["peer_education", "tb_screening", "occupational_health_compensation", "documentation_support",
               "advocacy", "compensation_claims_support"], ["ex_mineworkers"], (50, 400),
              "Ex-mineworkers association: TB screening drives, claims support and advocacy for former miners"),
    "union": ("trade_union",
              ["peer_education", "tb_screening", "hiv_testing", "occupational_health_compensation",
               "dust_control_awareness", "advocacy", "grievance_redress"], ["mineworkers"], (100, 800),
              "Mineworkers' trade union branch with workplace peer educators"),
    "hbc": ("cbo", ["home_based_care", "tb_adherence_support", "art_adherence_support", "nutrition_support",
                    "peer_education"], ["tb_patients", "plhiv"], (40, 250),
            "Home-based care and treatment-adherence support"),
    "youth": ("cbo", ["peer_education", "condom_distribution", "hiv_testing"], ["agyw"], (40, 200),
              "Youth health club for adolescent girls and young women"),
    "artisanal": ("cbo", ["peer_education", "tb_screening", "dust_control_awareness", "documentation_support"],
                  ["artisanal_miners", "migrants"], (30, 200),
                  "Outreach to artisanal and small-scale miners at the diggings"),
    "legal": ("ngo", ["legal_aid", "documentation_support", "human_rights_monitoring"],
              ["migrants", "agyw"], (60, 400), "Paralegal advice office: legal aid, documents and rights monitoring"),
    "gbv": ("ngo", ["gbv_support", "legal_aid", "mental_health"], ["agyw", "sex_workers", "transgender_people"],
            (60, 300), "Gender-based violence support, counselling and legal aid"),
    "migrant": ("ngo", ["documentation_support", "social_grant_linkage", "peer_education", "legal_aid"],
                ["migrants", "ex_mineworkers"], (80, 500), "Support centre for migrant and cross-border workers"),
    "tb_ngo": ("ngo", ["tb_screening", "tb_adherence_support", "tb_contact_tracing", "home_based_care",
                       "nutrition_support", "dust_control_awareness"],
               ["tb_patients", "mining_communities", "ex_mineworkers"], (100, 600),
               "Community TB programme: case finding, contact tracing and adherence support"),
    "sw": ("kp_network", ["peer_education", "condom_distribution", "hiv_testing", "gbv_support",
                          "human_rights_monitoring"], ["sex_workers"], (30, 200),
           "Sex-worker-led peer network"),
    "msm": ("kp_network", ["peer_education", "hiv_testing", "prep", "condom_distribution", "mental_health"],
            ["msm"], (30, 150), "Peer-led health network for men who have sex with men"),
    "trans": ("kp_network", ["peer_education", "mental_health", "gbv_support", "human_rights_monitoring",
                             "hiv_testing"], ["transgender_people", "msm"], (20, 120),
              "Transgender-led peer support collective"),
    "pwid": ("kp_network", ["harm_reduction", "peer_education", "hiv_testing", "tb_screening"], ["pwid"],
             (20, 120), "Peer-led harm reduction network of people who use drugs"),
    "faith": ("faith_based", ["home_based_care", "nutrition_support", "mental_health", "peer_education"],
              ["plhiv", "tb_patients"], (30, 150), "Faith-based care ministry"),
    "grants": ("government", ["social_grant_linkage", "documentation_support"], [], (500, 3000),
               "District social grants office (grant applications and documentation support)"),
    "council": ("government", ["capacity_building", "community_led_monitoring"], [], None,
                "District AIDS council: the district's multi-sector coordination forum"),
    "comp_point": ("government", ["occupational_health_compensation", "benefit_medical_examination",
                                  "silicosis_screening"], ["mineworkers", "ex_mineworkers"], (200, 1200),
                   "Occupational health compensation service point (benefit medical examinations and claims)"),
    "mine": ("mining_company", ["tb_screening", "hiv_testing", "art", "silicosis_screening",
                                "benefit_medical_examination", "occupational_health_compensation",
                                "dust_control_awareness", "funding"],
             ["mineworkers"], (500, 3000),
             "Mining company whose occupational health centre screens workers and lodges their claims"),
    "ohp": ("private_provider", ["silicosis_screening", "benefit_medical_examination", "tb_screening"],
            ["mineworkers", "ex_mineworkers"], (100, 500), "Private occupational health practice"),
    "chamber": ("industry_body", ["advocacy", "dust_control_awareness", "capacity_building"], ["mineworkers"], None,
                "Chamber of mines"),
    "donor": ("donor", ["funding"], [], None, "Grant-making donor"),
    "regional": ("regional_body", ["advocacy", "capacity_building"], [], None, "Regional body"),
    "academic": ("academic", ["research", "capacity_building", "community_led_monitoring"], [], None,
                 "Academic research partner"),
    "dept_health": ("government", ["funding", "capacity_building", "community_led_monitoring"], [], None,
                    "Provincial department of health"),
    "dept_sd": ("government", ["funding", "capacity_building"], [], None,
                "Provincial department of social development"),
}

#: Telephone area codes by district (fictional 555 exchange).
AREA_CODES = {
    "OR Tambo": "47", "Alfred Nzo": "39", "Chris Hani": "45", "Amathole": "47", "Buffalo City": "43",
    "Joe Gqabi": "45", "Lejweleputswa": "57", "Thabo Mofutsanyana": "58", "Mangaung": "51",
    "Fezile Dabi": "16", "Sekhukhune": "13", "Waterberg": "15", "Vhembe": "15", "Capricorn": "15",
    "Mopani": "15", "Bojanala": "14", "West Rand": "18",
}
DEFAULT_MUNICIPALITY = {
    "OR Tambo": "King Sabata Dalindyebo", "Alfred Nzo": "Umzimvubu", "Chris Hani": "Enoch Mgijima",
    "Amathole": "Mnquma", "Buffalo City": "Buffalo City", "Joe Gqabi": "Elundini",
    "Lejweleputswa": "Matjhabeng", "Thabo Mofutsanyana": "Maluti-a-Phofung", "Mangaung": "Mangaung",
    "Fezile Dabi": "Metsimaholo", "Sekhukhune": "Fetakgomo Tubatse", "Waterberg": "Mogalakwena",
    "Vhembe": "Musina", "Capricorn": "Polokwane", "Mopani": "Ba-Phalaborwa", "Bojanala": "Rustenburg",
    "West Rand": "Merafong City",
}
LABOUR_SENDING = {"OR Tambo", "Alfred Nzo", "Chris Hani", "Amathole", "Joe Gqabi", "Thabo Mofutsanyana",
                  "Vhembe", "Sekhukhune"}
MINING = {"Lejweleputswa", "Sekhukhune", "Waterberg", "Bojanala", "West Rand", "Mopani"}


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
# The organisations: the roster file, one row each.
# ---------------------------------------------------------------------------
ROSTER = Path(__file__).resolve().parent / "roster" / "organisations.csv"
#: Roster columns holding lists (``;`` between items; ``-`` for an empty list).
ROSTER_LISTS = ("services", "add", "drop", "populations", "aliases")
#: Roster columns that are not options of :meth:`Demo.org`.
ROSTER_OWN = ("name", "role", "district", "phone", "note")
#: The phone cell of consecutive organisations that share one number.
SHARED_PHONE = "shared"


def add_organisations(d: Demo, roster: Path = ROSTER) -> None:
    """Add the organisations of ``roster`` in its order (the order fixes every random draw).

    Each row gives :meth:`Demo.org` its ``name``, ``role`` (see ROLES) and
    ``district`` (empty: a regional or national body), and any option whose
    cell is filled: an empty cell takes the role's default. List cells join
    items with ``;``, and ``-`` stands for an empty list; ``sensitive`` is
    ``yes``, ``contacts`` ``no`` (invent no phone, email or website), an
    ``email`` of ``-`` means none. A ``phone`` of ``shared`` gives consecutive
    rows one new number, drawn before the first of them is placed. ``note``
    says why a row is as it is (the plants); the builder does not read it.
    """
    shared = None
    with open(roster, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            options = {column: _roster_cell(column, value) for column, value in row.items()
                       if value and column not in ROSTER_OWN}
            if row["phone"] == SHARED_PHONE:
                shared = shared or d._new_phone(row["district"])
                options["phone"] = shared
            else:
                shared = None
                if row["phone"]:
                    options["phone"] = row["phone"]
            d.org(row["name"], row["role"], row["district"] or None, **options)


def _roster_cell(column: str, value: str) -> object:
    if column in ROSTER_LISTS:
        return [] if value == "-" else value.split(";")
    return {("sensitive", "yes"): True, ("contacts", "no"): False, ("email", "-"): False}.get((column, value), value)


# ---------------------------------------------------------------------------
# Hand-written links: the plants and the agreements around them.
# ---------------------------------------------------------------------------
D = dt.date

#: Active MoUs and referral agreements that lapse within 90 days of AS_OF.
EXPIRING = [
    ("or-tambo-ex-mineworkers-association", "mthatha-regional-referral-hospital", "mou",
     ["tb_screening", "tb_treatment"], D(2023, 12, 31), D(2026, 12, 31)),
    ("lejweleputswa-mineworkers-union-branch", "welkom-regional-hospital", "referral",
     ["tb_treatment", "art"], D(2024, 2, 1), D(2027, 1, 31)),
    ("sekhukhune-ex-mineworkers-association", "burgersfort-community-clinic", "referral",
     ["tb_treatment"], D(2024, 12, 16), D(2026, 12, 15)),
    ("bushveld-ridge-platinum-ltd", "rustenburg-regional-hospital", "mou",
     ["tb_treatment", "art"], D(2022, 2, 11), D(2027, 2, 10)),
    ("phakama-mens-wellness-circle", "seshego-community-clinic", "referral",
     ["art", "sti"], D(2025, 1, 16), D(2027, 1, 15)),
    ("musina-migrant-rights-centre", "thohoyandou-gateway-clinic", "mou",
     ["pep", "hiv_testing"], D(2024, 2, 1), D(2027, 2, 1)),
    ("mangaung-harm-reduction-services", "mangaung-academic-hospital", "mou",
     ["art", "opioid_substitution"], D(2023, 12, 1), D(2026, 12, 1)),
]


def add_planted_links(d: Demo) -> None:
    tie = d.link
    for source, target, kind, services, start, end in EXPIRING:
        tie(source, target, kind, services, start=start, end=end, formal=True, weight=4)
    # Just outside the 90-day window.
    tie("capricorn-regional-hospital", "capricorn-gender-and-rights-centre", "mou", ["pep", "gbv_support"],
      start=D(2024, 3, 15), end=D(2027, 3, 15), formal=True, weight=3)

    # Isolated: a proposed MoU and an expired one do not count.
    tie("ntabankulu-youth-against-tb", "mount-frere-gateway-clinic", "mou", ["tb_adherence_support"], "proposed",
      start=D(2027, 2, 1), end=None, formal=False, weight=2,
      notes="Draft MoU for treatment-adherence support, not yet signed")
    tie("botshabelo-mineworkers-hospice", "mangaung-academic-hospital", "mou", ["tb_adherence_support"], "expired",
      start=D(2021, 7, 1), end=D(2024, 6, 30), formal=True, weight=3)

    # Inactive organisations: a stale active MoU, an ended referral, an expired MoU, an ended grant.
    tie("no-7-shaft-wellness-centre", "lejweleputswa-mineworkers-union-branch", "mou",
      ["tb_screening", "tb_treatment"], start=D(2022, 5, 1), end=D(2027, 4, 30), formal=True, weight=4,
      notes="Never cancelled, although the centre closed in 2025")
    tie("no-7-shaft-wellness-centre", "welkom-regional-hospital", "referral", ["tb_treatment"], "ended",
      start=D(2021, 1, 15), end=D(2025, 3, 31), formal=True, weight=3)
    tie("lusikisiki-youth-health-forum", "ingquza-district-hospital", "mou", ["hiv_testing"], "expired",
      start=D(2021, 4, 1), end=D(2024, 3, 31), formal=True, weight=2)
    tie("ubuntu-health-fund", "lusikisiki-youth-health-forum", "funding", ["peer_education"], "ended",
      start=D(2022, 1, 1), end=D(2023, 12, 31), formal=True, weight=3)

    # Broken cascades.
    vm = "virginia-mobile-health-point"
    tie(vm, "welkom-regional-hospital", "referral", ["tb_treatment"], "expired", start=D(2024, 7, 1),
      end=D(2026, 6, 30), formal=True, weight=4, notes="Referral agreement for TB treatment; not renewed")
    tie(vm, "lejweleputswa-district-aids-council", "coordination")
    tie("sand-river-gold-mining-ltd", vm, "funding", ["tb_screening", "hiv_testing"], start=D(2025, 4, 1),
      end=D(2027, 9, 30), formal=True, weight=4)
    tie(vm, "welkom-home-based-care-network", "mou", ["art_adherence_support"], start=D(2025, 2, 1), end=None,
      formal=True, weight=3)
    tie(vm, "free-state-department-of-health", "data_sharing", ["tb_screening", "hiv_testing"])
    sg = "sekgakgapeng-satellite-clinic"
    tie(sg, "mogalakwena-district-hospital", "referral", ["tb_treatment"], "proposed", start=None, end=None,
      formal=False, weight=3, notes="Referral agreement drafted, not yet signed")
    tie(sg, "waterberg-district-aids-council", "coordination")
    tie(sg, "waterberg-home-based-care-alliance", "mou", ["art_adherence_support"], start=D(2024, 9, 1),
      end=D(2028, 8, 31), formal=True, weight=3)
    tie("limpopo-department-of-health", sg, "secondment", ["hiv_testing"], notes="Professional nurse seconded")
    ss = "tsolo-occupational-lung-screening-site"
    tie(ss, "mthatha-regional-referral-hospital", "referral", ["tb_treatment"], start=D(2024, 5, 1), end=None,
      formal=True, weight=4)
    tie(ss, "mthatha-occupational-compensation-service-point", "referral", ["occupational_health_compensation"],
      "ended", start=D(2023, 1, 1), end=D(2025, 12, 31), formal=True, weight=3,
      notes="Ended when the service point's outreach team was withdrawn")
    tie("institute-for-mining-health-research", ss, "training", ["silicosis_screening"])
    tie(ss, "or-tambo-district-aids-council", "coordination")
    tie(ss, "ntp", "data_sharing", ["tb_screening"])

    # Unreachable: Alfred Nzo's referral layer, with one way out through Joe Gqabi.
    h1, c1, c2, c3 = ("umzimvubu-district-hospital", "matatiele-community-clinic", "mount-frere-gateway-clinic",
                      "cedarville-community-clinic")
    hbc, grants = "maluti-home-based-care-network", "alfred-nzo-district-social-grants-office"
    for clinic in (c1, c2, c3):
        tie(clinic, h1, "referral", ["tb_treatment", "art"])
    for provider in (h1, c1, c2):
        tie(provider, hbc, "mou", ["tb_adherence_support", "art_adherence_support"])
    tie(c3, hbc, "referral", ["tb_adherence_support", "art_adherence_support"])
    tie("mount-frere-ex-mineworkers-association", c2, "referral", ["tb_treatment"])
    tie("mount-frere-ex-mineworkers-association", grants, "referral", ["social_grant_linkage"])
    tie("matatiele-ex-miners-welfare-society", c1, "referral", ["tb_screening"])
    tie("umzimvubu-youth-health-club", c2, "referral", ["art", "pep"])
    tie("umzimvubu-youth-health-club", "matatiele-advice-office", "referral", ["legal_aid"])
    tie("matatiele-advice-office", grants, "referral", ["social_grant_linkage"])
    tie("matatiele-interfaith-care-fellowship", c1, "referral", ["hiv_testing"])
    tie(h1, grants, "referral", ["social_grant_linkage"])
    x1, x2, x3, x4 = ("elundini-district-hospital", "ugie-ex-mineworkers-committee",
                      "joe-gqabi-rural-paralegal-office", "maclear-home-based-care-group")
    tie(h1, x1, "referral", ["tb_treatment"], notes="Drug-resistant TB referrals across the district border")
    tie(x1, x2, "referral", ["peer_education"], notes="Discharged former miners referred for peer support")
    tie(x1, x4, "mou", ["tb_adherence_support", "art_adherence_support"])
    tie(x2, x1, "referral", ["tb_treatment"])
    tie(x2, x3, "referral", ["legal_aid", "social_grant_linkage"])
    tie(x2, "joe-gqabi-district-social-grants-office", "referral", ["social_grant_linkage"])
    tie(x3, "mines-occupational-compensation-office", "referral", ["occupational_health_compensation"],
      formal=False, weight=2, notes="Claims forwarded by post")
    tie(x4, x1, "referral", ["hiv_testing"])

    # Single point of failure: Apel Cross clinic.
    apel, hosp = "apel-cross-community-clinic", "tubatse-district-hospital"
    cluster = ["ga-mampuru-home-based-care", "mecklenburg-youth-health-club", "atok-womens-health-circle",
               "fetakgomo-chrome-diggers-support-group"]
    for cbo in cluster:
        tie(cbo, apel, "referral", ["tb_screening", "hiv_testing"])
    for a, b in zip(cluster, cluster[1:], strict=False):
        tie(a, b, "mou", ["home_based_care", "peer_education"])
    tie(apel, hosp, "referral", ["tb_treatment"], formal=True, weight=4)
    tie(apel, cluster[0], "mou", ["art_adherence_support", "tb_adherence_support"])

    # Siloed cluster in Musina: six groups all tied to each other, one active tie out, an expired grant.
    silo = ["musina-cross-border-health-committee", "beitbridge-road-womens-savings-and-health-club",
            "madimbo-corridor-farmworkers-group", "musina-faith-healing-fellowship",
            "limpopo-river-youth-drama-troupe", "nancefield-community-care-group"]
    s1 = silo[0]
    inside = ["coordination", "mou", "referral", "training", "data_sharing", "mentoring", "advocacy"]
    for n, (a, b) in enumerate((a, b) for i, a in enumerate(silo) for b in silo[i + 1:]):
        kind = inside[n % len(inside)]
        tie(b, a, kind, ["peer_education"] if kind in ("mou", "referral", "training") else [])
    tie(s1, "musina-community-clinic", "referral", ["tb_treatment", "art"], start=D(2023, 8, 1), end=None,
      formal=False, weight=3)
    tie("masakhane-community-health-trust", silo[1], "funding", ["peer_education"], "expired", start=D(2022, 4, 1),
      end=D(2025, 3, 31), formal=True, weight=3)

    # Uncoordinated overlaps in Lejweleputswa: different referral partners and funders, nothing shared.
    tie("virginia-artisanal-miners-health-outreach", "meloding-clinic", "referral", ["tb_treatment"])
    tie("letsema-foundation-for-health-equity", "virginia-artisanal-miners-health-outreach", "funding",
      ["peer_education", "dust_control_awareness"])
    tie("goldfields-informal-miners-support-project", "welkom-regional-hospital", "referral", ["tb_treatment"])
    tie("khanyisa-global-health-fund", "goldfields-informal-miners-support-project", "funding",
      ["dust_control_awareness"])
    tie("institute-for-mining-health-research", "goldfields-informal-miners-support-project", "training",
      ["dust_control_awareness"])
    tie("meloding-diggers-wellness-group", "kutlwanong-community-health-centre", "referral", ["tb_treatment"])
    tie("free-state-department-of-health", "meloding-diggers-wellness-group", "funding", ["peer_education"])
    tie("masedi-womens-health-collective", "thabong-community-clinic", "referral", ["art", "pep"])
    tie("masedi-womens-health-collective", "lejweleputswa-paralegal-advice-office", "referral", ["legal_aid"])
    tie("masedi-womens-health-collective", "thandanani-key-populations-health-alliance", "membership")
    tie("sat", "masedi-womens-health-collective", "mentoring")
    tie("matjhabeng-night-outreach", "bronville-clinic", "referral", ["pep"])
    tie("matjhabeng-night-outreach", "southern-africa-legal-rights-centre", "referral", ["legal_aid"])
    tie("ubuntu-health-fund", "matjhabeng-night-outreach", "funding", ["peer_education"])
    tie("free-state-goldfields-tb-hospital", "thabong-home-based-care-group", "mou", ["tb_adherence_support"])
    tie("masakhane-community-health-trust", "thabong-home-based-care-group", "funding", ["home_based_care"])
    tie("welkom-regional-hospital", "kutlwanong-caring-hands", "referral", ["tb_adherence_support"])
    tie("free-state-social-development", "kutlwanong-caring-hands", "funding", ["home_based_care"])

    # Funding overlap in Bojanala: one donor, three grantees, same service, population and district.
    # The three grants are one illustrative district programme, each with its grant reference.
    for n, grantee in enumerate(("photsaneng-mining-community-support-group", "bapong-youth-against-tb",
                                 "mfidikwe-community-health-forum"), 1):
        grant = tie("ubuntu-health-fund", grantee, "funding", ["tb_screening", "dust_control_awareness"],
                    start=D(2025, 7, 1), end=D(2027, 6, 30), formal=True, weight=4)
        grant.update(programme="Ubuntu Bojanala community TB programme (illustrative)",
                     grant_ref=f"UHF-BOJ-2025-{n:03d}")
    d.funded.add(("ubuntu-health-fund", "Bojanala"))
    # Grants written by hand above also use up the funder's district.
    for link in list(d.links):
        if link["kind"] == "funding" and link["status"] == "active":
            d.funded.add((link["source"], d.orgs[link["target"]]["district"]))


# ---------------------------------------------------------------------------
# Generated links: forums, care-cascade referrals, funding, networks.
# ---------------------------------------------------------------------------
def add_generated_links(d: Demo) -> None:
    rng, orgs, vocab = d.rng, d.orgs, d.vocab
    districts = sorted({o["district"] for o in orgs.values() if o["district"]})
    councils = {o["district"]: o["id"] for o in orgs.values() if o["role"] == "council"}
    grants_offices = {o["district"]: o["id"] for o in orgs.values() if o["role"] == "grants"}
    hospitals = {}
    for o in orgs.values():
        if o["kind"] == "hospital" and o["role"] == "hospital":
            hospitals.setdefault(o["district"], o["id"])
    depts = {(o["province"], o["role"]): o["id"] for o in orgs.values()
             if o["role"] in ("dept_health", "dept_sd") and o["province"]}

    # 1. District AIDS councils: most organisations sit on their district's forum.
    for district in districts:
        council = councils.get(district)
        if not council:
            continue
        for oid in d.where(district=district):
            if oid == council:
                continue
            d.auto(oid, council, "coordination" if rng.random() < 0.85 else "membership")
        dept = depts.get((orgs[council]["province"], "dept_health"))
        if dept:
            d.auto(dept, council, "coordination", ["community_led_monitoring"])

    # 2. Care cascades: after S the client needs T; link to someone nearby who offers T.
    providers: dict[str, list[str]] = {}
    for oid in d.where():
        if oid in d.ref_sealed:
            continue
        for s in orgs[oid]["services"]:
            providers.setdefault(s, []).append(oid)
    for oid in d.where():
        if oid in d.ref_sealed:
            continue
        o = orgs[oid]
        for s in list(o["services"]):
            for t in vocab.next_services(s):
                if t in o["services"]:
                    continue
                partners = d.partners(oid)
                if any(t in orgs[p]["services"] and d.overlap(oid, p) for p in partners):
                    continue
                target = _nearest_provider(d, oid, [p for p in providers.get(t, []) if d.overlap(oid, p)])
                if target is None:
                    continue
                kind = "referral" if rng.random() < 0.8 else "mou"
                d.auto(oid, target, kind, [t])

    # 3. Everyday referral routes.
    for oid in d.where(role="clinic"):
        hospital = hospitals.get(orgs[oid]["district"])
        if hospital and oid not in d.ref_sealed:
            d.auto(oid, hospital, "referral", ["tb_treatment", "art"])
    for oid in d.where(role="clinic"):
        office = grants_offices.get(orgs[oid]["district"])
        if office and rng.random() < 0.7:
            d.auto(oid, office, "referral", ["social_grant_linkage", "documentation_support"])
    for district, hospital in hospitals.items():
        if district in grants_offices:
            d.auto(hospital, grants_offices[district], "referral", ["social_grant_linkage"])
        clinics = d.where(role="clinic", district=district)
        for clinic in rng.sample(clinics, min(2, len(clinics))):
            d.auto(hospital, clinic, "secondment", ["tb_treatment"], notes="Doctor's outreach visits")
    for oid in d.where(role=("hbc", "youth", "faith", "exmin", "union", "sw", "msm", "trans")):
        if oid in d.ref_sealed:
            continue
        clinics = [c for c in d.where(role="clinic", district=orgs[oid]["district"]) if c not in d.ref_sealed]
        if clinics and rng.random() < 0.5:
            d.auto(oid, rng.choice(clinics), "referral", ["hiv_testing", "tb_screening"])

    # 4. Funding: each funder funds at most one organisation per district.
    grantees = d.where(kind=("cbo", "ngo", "kp_network", "faith_based", "ex_mineworkers_association"))
    funders = ([(f, None) for f in d.where(kind="donor")] + [("sat", None)]
               + [(v, k[0]) for k, v in depts.items()])
    for funder, province in funders:
        pool = [g for g in grantees if province is None or orgs[g]["province"] == province]
        rng.shuffle(pool)
        quota = rng.randint(7, 11) if province is None else rng.randint(4, 6)
        if funder == "sat":
            pool = [g for g in pool if orgs[g]["kind"] in ("kp_network", "ngo")]
            quota = 4
        for g in pool:
            if quota == 0:
                break
            if _fund(d, funder, g):
                quota -= 1
    for mine in d.where(kind="mining_company"):
        pool = d.where(kind=("cbo", "ex_mineworkers_association", "ngo", "trade_union"),
                       district=orgs[mine]["district"])
        rng.shuffle(pool)
        for g in pool:
            if _fund(d, mine, g):
                break

    # 5. Membership and networks.
    for oid in d.where(kind="ex_mineworkers_association"):
        if rng.random() < 0.8:
            d.auto(oid, "southern-african-ex-mineworkers-alliance", "membership")
    for oid in d.where(kind="kp_network"):
        if oid != "thandanani-key-populations-health-alliance":
            d.auto(oid, "thandanani-key-populations-health-alliance", "membership")
    for oid in d.where(role=("legal", "gbv")):
        if rng.random() < 0.6:
            d.auto(oid, "arasa", "membership")
    chambers = {o["province"]: o["id"] for o in orgs.values() if o["role"] == "chamber" and o["district"]}
    for mine in d.where(kind="mining_company"):
        chamber = chambers.get(orgs[mine]["province"], "national-chamber-of-mines-and-minerals")
        d.auto(mine, chamber, "membership")
        d.auto(mine, "national-chamber-of-mines-and-minerals", "membership")
    for chamber in chambers.values():
        d.auto(chamber, "national-chamber-of-mines-and-minerals", "membership")

    # 6. Mentoring: NGOs mentor CBOs nearby; regional bodies mentor national networks.
    for ngo in d.where(kind="ngo"):
        cbos = d.where(kind="cbo", district=orgs[ngo]["district"])
        if cbos:
            d.auto(ngo, rng.choice(cbos), "mentoring")
    for kp in d.where(kind="kp_network"):
        if rng.random() < 0.5:
            d.auto("arasa", kp, "mentoring")
    d.auto("sat", "thandanani-key-populations-health-alliance", "mentoring")
    d.auto("arasa", "southern-africa-legal-rights-centre", "mentoring")

    # 7. Training.
    academics = {o["province"]: o["id"] for o in orgs.values() if o["kind"] == "academic" and o["province"]}
    for province, academic in academics.items():
        trainees = d.where(kind=("clinic", "cbo", "ex_mineworkers_association", "trade_union"), province=province)
        for t in rng.sample(trainees, min(4, len(trainees))):
            d.auto(academic, t, "training", ["community_led_monitoring"])
    for hospital in hospitals.values():
        d.auto("ntp", hospital, "training", ["tb_treatment"])
    for oid in d.where(kind=("trade_union", "ex_mineworkers_association")):
        if rng.random() < 0.4:
            d.auto("institute-for-mining-health-research", oid, "training", ["dust_control_awareness"])
    for kp in d.where(kind="kp_network"):
        if rng.random() < 0.5:
            d.auto("arasa", kp, "training", ["human_rights_monitoring"])
    for chamber in chambers.values():
        for union in d.where(kind="trade_union", province=orgs[chamber]["province"]):
            d.auto(chamber, union, "training", ["dust_control_awareness"])

    # 8. Data sharing: facilities report TB data; community monitors report to the province.
    for hospital in hospitals.values():
        d.auto(hospital, "ntp", "data_sharing", ["tb_treatment"])
    for oid in d.where(kind=("clinic",)):
        if rng.random() < 0.35 and oid not in d.ref_sealed:
            d.auto(oid, "ntp", "data_sharing", ["tb_screening"])
    for oid in d.where(service="community_led_monitoring", kind=("cbo", "ngo", "kp_network")):
        dept = depts.get((orgs[oid]["province"], "dept_health"))
        if dept:
            d.auto(oid, dept, "data_sharing", ["community_led_monitoring"])
    d.auto("ntp", "sadc", "data_sharing", ["tb_treatment"], notes="Cross-border TB patient data")
    d.auto("southern-african-ex-mineworkers-alliance", "ntp", "data_sharing", ["tb_screening"],
           notes="Migrant ex-miners with TB, for follow-up")
    d.auto("institute-for-mining-health-research", "ntp", "data_sharing", ["research"])
    d.auto("mines-occupational-compensation-office", "ntp", "data_sharing", ["benefit_medical_examination"])

    # 9. Advocacy coalitions.
    for body in ("sadc", "nepad", "arasa"):
        d.auto("southern-african-ex-mineworkers-alliance", body, "advocacy")
    d.auto("thandanani-key-populations-health-alliance", "arasa", "advocacy")
    d.auto("thandanani-key-populations-health-alliance", "national-chamber-of-mines-and-minerals", "advocacy")
    d.auto("southern-africa-legal-rights-centre", "southern-african-ex-mineworkers-alliance", "advocacy")
    for union in d.where(kind="trade_union"):
        for other in d.where(kind=("ex_mineworkers_association", "mining_company"),
                             district=orgs[union]["district"]):
            d.auto(union, other, "advocacy")
    for kp in d.where(kind="kp_network"):
        if orgs[kp]["district"]:
            mines = d.where(kind="mining_company", district=orgs[kp]["district"])
            if mines and rng.random() < 0.7:
                d.auto(kp, rng.choice(mines), "advocacy")
    for oid in d.where(role="legal"):
        for exmin in d.where(kind="ex_mineworkers_association", district=orgs[oid]["district"]):
            if rng.random() < 0.5:
                d.auto(oid, exmin, "advocacy")

    # 10. National coordination.
    for (province, role), dept in sorted(depts.items()):
        if role == "dept_health":
            d.auto("ntp", dept, "coordination")
            for academic in d.where(kind="academic", province=province):
                d.auto(academic, dept, "data_sharing", ["research", "community_led_monitoring"])
            sd = depts.get((province, "dept_sd"))
            if sd:
                d.auto(dept, sd, "coordination")
                for office in d.where(role="grants", province=province):
                    d.auto(sd, office, "coordination", ["social_grant_linkage"])
    for a, b in [("sadc", "nepad"), ("sat", "arasa"), ("mines-occupational-compensation-office", "ntp"),
                 ("sadc", "ntp"), ("ubuntu-health-fund", "sat"), ("khanyisa-global-health-fund", "sat")]:
        d.auto(a, b, "coordination")
    for point in d.where(role="comp_point"):
        if point != "mines-occupational-compensation-office":
            d.auto(point, "mines-occupational-compensation-office", "coordination",
                   ["occupational_health_compensation"])

    # 11. The past and the future: expired, ended and proposed ties between neighbours.
    statuses = ["expired"] * 9 + ["ended"] * 5 + ["proposed"] * 6
    kinds = ["mou", "referral", "funding", "coordination", "training", "mentoring", "data_sharing",
             "advocacy", "secondment", "membership"]
    for status in statuses * 2:
        for _ in range(20):
            district = rng.choice(districts)
            pool = [o for o in d.where(district=district) if o not in d.ref_sealed]
            if len(pool) < 2:
                continue
            a, b = rng.sample(pool, 2)
            kind = rng.choice(kinds)
            if kind == "funding":
                a = rng.choice(d.where(kind="donor"))
            common = sorted(set(orgs[a]["services"]) & set(orgs[b]["services"]) - {"funding"})
            if d.auto(a, b, kind, common[:1], status):
                break

    # 12. Anyone left without an active tie joins their district forum.
    active = set()
    for link in d.links:
        if link["status"] == "active":
            active.update((link["source"], link["target"]))
    for oid in d.where():
        if oid not in active:
            council = councils.get(orgs[oid]["district"])
            if council:
                d.auto(oid, council, "coordination")
            elif orgs[oid]["kind"] == "donor":
                d.auto(oid, "sat", "coordination")


def _nearest_provider(d: Demo, oid: str, candidates: list[str]) -> str | None:
    """A provider in the same district, else the province, else a national one, else anywhere."""
    o = d.orgs[oid]
    candidates = [c for c in candidates if c != oid and c not in d.ref_sealed]
    for same in (lambda c: o["district"] and d.orgs[c]["district"] == o["district"],
                 lambda c: o["province"] and d.orgs[c]["province"] == o["province"],
                 lambda c: d.orgs[c]["district"] is None,
                 lambda c: True):
        tier = [c for c in candidates if same(c)]
        if tier:
            return d.rng.choice(sorted(tier))
    return None


def _fund(d: Demo, funder: str, grantee: str) -> bool:
    """Fund ``grantee`` unless ``funder`` already funds someone in its district."""
    district = d.orgs[grantee]["district"]
    if (funder, district) in d.funded or d.has(funder, grantee, "funding"):
        return False
    services = [s for s in d.orgs[grantee]["services"] if s != "funding"]
    chosen = d.rng.sample(services, min(len(services), d.rng.randint(1, 2)))
    if d.auto(funder, grantee, "funding", sorted(chosen)) is None:
        return False
    d.funded.add((funder, district))
    return True


#: A grant in force that ends within 90 days of AS_OF (written last, so no other link id moves).
EXPIRING_GRANT = ("masakhane-community-health-trust", "giyani-home-based-care-network", "funding",
                  ["home_based_care"], D(2025, 1, 1), D(2026, 12, 20))


def add_late_plants(d: Demo) -> None:
    """Two-way referral agreements, and a grant about to end; no random draw changes before this."""
    for link in d.links:
        if (link["kind"] == "referral" and d.orgs[link["source"]]["kind"] in ("clinic", "hospital")
                and d.orgs[link["target"]]["role"] == "hbc"):
            link["two_way"] = True
            link["notes"] += " (both ways: the group refers clients back to the facility)"
    funder, grantee, kind, services, start, end = EXPIRING_GRANT
    assert (funder, d.orgs[grantee]["district"]) not in d.funded, "the funder already funds that district"
    d.link(funder, grantee, kind, services, start=start, end=end, formal=True, weight=4)
    d.funded.add((funder, d.orgs[grantee]["district"]))


def build(seed: int = 2026) -> Demo:
    """Assemble the whole demo network."""
    from demo_borders import add_borders  # seed/demo_borders.py, beside this script

    d = Demo(seed)
    add_organisations(d)
    add_planted_links(d)
    add_generated_links(d)
    add_late_plants(d)
    add_borders(d)
    return d


def main(argv: list[str]) -> None:
    """Write the demo files into the folder ``argv`` names (default: ``seed/demo/``)."""
    out_dir = Path(argv[0]) if argv else OUT_DIR
    d = build()
    d.write(out_dir)
    demo_monitoring.write(out_dir, set(d.orgs))
    write_referrals(d.orgs, d.links, out_dir, AS_OF)
    print(f"wrote {len(d.orgs)} organisations and {len(d.links)} links to {out_dir}")
    demo_surveys.write(out_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
