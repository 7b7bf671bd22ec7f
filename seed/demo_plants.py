"""The demo's hand-written links (all illustrative): the planted cases and the agreements around them, and the late
plants (two-way agreements, a grant about to end) made after every generated link.

``seed/build_demo.py``'s docstring lists each planted case with the organisation ids involved.
"""

from __future__ import annotations

import datetime as dt

from demo_network import Demo  # seed/demo_network.py, beside this script

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
