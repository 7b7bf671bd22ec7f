"""Build the illustrative demo network: ``seed/demo/organisations.csv`` and ``links.csv``.

The demo is a fictional partner network for a community systems strengthening
programme in the Eastern Cape, Free State and Limpopo, with the mining areas of
North West (Bojanala) and Gauteng (West Rand). Local organisations, clinics,
donors and companies are invented; SADC, AUDA-NEPAD, ARASA and SAT are real
regional bodies, but every link drawn to them here is invented.

The organisations are data: ``seed/roster/organisations.csv`` (one row each,
read by ``demo_roster.add_organisations``); the links are drawn by hand for the
plants (``demo_plants.py``) and generated around them (``demo_generated.py``), by the
``Demo`` of ``demo_network.py`` with the roles of ``demo_roles.py``; the cross-border partners, data flows,
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
    the seven links in demo_plants.EXPIRING (l-0001 .. l-0007, ending 2026-12-01 .. 2027-02-10) and
    the grant in demo_plants.EXPIRING_GRANT (l-0955, masakhane-community-health-trust ->
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

import sys
from pathlib import Path

import demo_monitoring
import demo_surveys  # seed/demo_surveys.py, beside this script
from demo_borders import add_borders  # seed/demo_borders.py, beside this script
from demo_generated import add_generated_links
from demo_network import AS_OF, Demo  # seed/demo_network.py, beside this script
from demo_plants import add_late_plants, add_planted_links
from demo_referrals import write_referrals  # seed/demo_referrals.py, beside this script
from demo_roster import add_organisations

OUT_DIR = Path(__file__).resolve().parent / "demo"


def build(seed: int = 2026) -> Demo:
    """Assemble the whole demo network."""
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
