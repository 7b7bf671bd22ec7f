"""The demo's generated links (all illustrative): forums, care-cascade referrals, funding, networks, training, data,
advocacy and coordination, drawn around the plants without touching a sealed organisation."""

from __future__ import annotations

from demo_network import Demo  # seed/demo_network.py, beside this script


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
