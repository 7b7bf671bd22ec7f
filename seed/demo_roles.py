"""The demo's roles and places (all illustrative): what each role of organisation is and does by default, and the
telephone area codes, default municipalities, labour-sending and mining districts the builder places them by.

A role is ``kind, default services, default populations, capacity range (or None), blurb``;
``seed/roster/organisations.csv`` names one for every organisation.
"""

from __future__ import annotations

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
