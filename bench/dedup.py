"""Duplicate detection measured on a labelled set of record pairs.

    python -m bench.dedup                 # precision and recall on bench/dedup_pairs.json
    python -m bench.dedup --write         # regenerate bench/dedup_pairs.json (same output every run)

The labelled set is built from the demo network (``seed/demo/organisations.csv``)
with ``random.Random(SEED)``:

* duplicates: the demo's three planted pairs, and for demo records a second
  record of the same organisation, its name rewritten one way -- an
  abbreviation ("Assoc.", "C.B.O.", "HBC", ...), a typo, a transliteration
  ("tsh"/"ch", "kh"/"k", ...), words joined or split ("Mine Workers" /
  "Mineworkers"), case and punctuation, stop words, accents, a generic word
  left out, or the original name kept only as an alias -- with services
  sometimes one fewer or one more and contacts usually not shared;
* not duplicates: branches of one organisation in two districts (same name,
  same kind), same-district records of another kind sharing the distinctive
  word ("Lesedi Clinic" / "Lesedi Home-Based Care"), same-district records of
  the same kind sharing only generic words ("Tubatse Youth Health Club" /
  "Mecklenburg Youth Health Club"), different names one or two letters apart,
  and every pair of demo records in one district that share two or more
  words of their names (West Rand District AIDS Council / West Rand District
  Hospital).

Evaluation runs :func:`network.analysis.duplication.duplicate_records` once
on a graph of the demo records and every generated record, then compares the
pairs it finds with the labels. It prints precision and recall on the
labelled pairs and how many pairs it found that the set does not label.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from bench.run import figure
from network.analysis.duplication import duplicate_records
from network.analysis.names import distinctive, words

__all__ = ["build_pairs", "evaluate", "load_pairs", "demo_records", "PAIRS_FILE"]

SEED = 2026
PAIRS_FILE = Path(__file__).with_name("dedup_pairs.json")
DEMO_FILE = Path(__file__).resolve().parent.parent / "seed" / "demo" / "organisations.csv"
#: How many generated duplicates and non-duplicates of each sort.
DUPLICATES = 130
BRANCHES, OTHER_KINDS, SHARED_WORDS = 25, 25, 30
#: Share of generated duplicates whose name is rewritten a second way too (an abbreviation and a typo, ...).
TWICE = 0.3

PLANTED = [
    ("sekhukhune-ex-mineworkers-association", "sekhukhune-ex-mine-workers-assoc"),
    ("mokopane-mining-communities-forum", "mogalakwena-mine-affected-communities-network"),
    ("mthatha-migrant-workers-support-centre", "ksd-migrant-support-centre"),
]
FIELDS = ("id", "name", "kind", "province", "district", "services", "populations", "aliases", "phone", "email",
          "status")
LISTS = ("services", "populations", "aliases")

ABBREVIATE = [
    ("Association", "Assoc."), ("Association", "Assn"), ("Organisation", "Org."), ("Community Based Organisation",
                                                                                    "C.B.O."),
    ("Home-Based Care", "HBC"), ("Home Based Care", "H.B.C."), ("Centre", "Ctr"), ("Centre", "Center"),
    ("Department", "Dept."), ("Development", "Dev."), ("Community", "Comm."), ("Health", "Hlth"),
    ("Programme", "Prog."), ("Society", "Soc."), ("Foundation", "Fdn"), ("International", "Intl"),
]
TRANSLITERATE = [("tsh", "ch"), ("ch", "tsh"), ("kh", "k"), ("kg", "kh"), ("th", "t"), ("ph", "p"), ("vh", "v"),
                 ("hl", "thl"), ("sh", "s")]
COMPOUNDS = [("Mineworkers", "Mine Workers"), ("Mine Workers", "Mineworkers"), ("Home-Based", "Homebased"),
             ("Home Based", "Homebased"), ("Farmworkers", "Farm Workers"), ("Healthcare", "Health Care"),
             ("Women's", "Womens"), ("Ex-Mineworkers", "Ex Mine Workers"), ("Cross-Border", "Crossborder")]
ACCENTS = {"e": "é", "a": "à", "o": "ô", "i": "ï"}
NEAR_NAMES = [("Lesedi", "Lesego"), ("Thuso", "Thuto"), ("Kopano", "Kopanong"), ("Tshepo", "Tshepang"),
              ("Itireleng", "Itumeleng"), ("Masibambane", "Masibambisane"), ("Siyakhula", "Siyakhana"),
              ("Ikageng", "Ikaneng"), ("Mohau", "Mohato"), ("Reatile", "Reabetswe"), ("Boitumelo", "Boitshepo"),
              ("Naledi", "Nalelo"), ("Tlhokomelo", "Tlhabologo"), ("Sizanani", "Sizakele")]
OTHER_ENDINGS = {"clinic": "Community Clinic", "hospital": "District Hospital", "cbo": "Home-Based Care Group",
                 "ngo": "Advice Office", "faith_based": "Faith Care Ministry", "government": "Social Grants Office",
                 "trade_union": "Mineworkers Union Branch", "kp_network": "Sisters Collective",
                 "ex_mineworkers_association": "Ex-Mineworkers Association"}
SYLLABLES = ["ma", "mo", "ka", "ko", "tla", "tsha", "nga", "se", "ba", "bo", "pha", "lu", "si", "tho", "zwe",
             "nda", "le", "thu", "kwe", "ze", "lo", "ra", "mu", "vhu", "hle", "ti", "no", "phu", "di", "mba"]


def demo_records(path: Path = DEMO_FILE) -> list[dict[str, Any]]:
    """The demo organisations as plain records (the fields duplicate detection reads)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [_record({k: row.get(k, "") for k in FIELDS}) for row in rows]


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: v for k, v in row.items() if k not in LISTS and v not in ("", None)}
    for key in LISTS:
        value = row.get(key) or []
        record[key] = [v.strip() for v in value.split(";") if v.strip()] if isinstance(value, str) else list(value)
    record.setdefault("status", "active")
    return record


def build_pairs(seed: int = SEED) -> dict[str, Any]:
    """The labelled set: generated records and labelled pairs (see the module notes)."""
    rng = random.Random(seed)
    demo = demo_records()
    generated: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = [{"a": a, "b": b, "duplicate": True, "variant": "planted"} for a, b in PLANTED]
    planted = {x for pair in PLANTED for x in pair}
    named = [r for r in demo if r["id"] not in planted and r.get("district") and len(_telling(r["name"])) >= 1]
    districts = sorted({r["district"] for r in demo if r.get("district")})
    provinces = {r["district"]: r["province"] for r in demo if r.get("district")}

    def add(base: dict[str, Any], duplicate: bool, variant: str, **changes: Any) -> None:
        record = {**base, "aliases": [], **changes}
        record["id"] = f"gen-{len(generated):03d}"
        generated.append(record)
        pairs.append({"a": base["id"], "b": record["id"], "duplicate": duplicate, "variant": variant})

    writers: list[tuple[str, Callable[[random.Random, str], str | None]]] = [
        ("abbreviation", _abbreviate), ("typo", _typo), ("transliteration", _transliterate),
        ("joined_or_split", _compound), ("case_and_punctuation", _case), ("stop_words", _stop_words),
        ("accents", _accents), ("generic_word_left_out", _leave_out), ("generic_word_added", _add_generic),
        ("alias", _acronym), ("acronym", _acronym),
    ]
    unused = rng.sample(named, len(named))
    for n in range(DUPLICATES):
        variant, write = writers[n % len(writers)]
        base, name = next((b, written) for b in unused if (written := write(rng, b["name"])) and written != b["name"])
        unused.remove(base)
        if rng.random() < TWICE:
            second, name = _rewrite(rng, name, [w for w in writers if w[0] not in (variant, "alias")])
            variant = f"{variant}+{second}"
        changes: dict[str, Any] = {"name": name, "services": _services(rng, base["services"]),
                                   "phone": base.get("phone") if rng.random() < 0.2 else None,
                                   "email": base.get("email") if rng.random() < 0.1 else None}
        if variant.startswith("alias"):
            changes["aliases"] = [base["name"]]
        add(base, True, variant, **changes)
    taken = {(r.get("district"), tuple(words(r["name"]))) for r in demo}
    for base in rng.sample([r for r in named if r["district"] not in r["name"]], BRANCHES):
        district = rng.choice([d for d in districts if d != base["district"]
                               and (d, tuple(words(base["name"]))) not in taken])
        add(base, False, "branch_in_another_district", district=district, province=provinces[district],
            phone=None, email=None)
    def clash(district: str, kind: str, name: str) -> bool:
        """True if a record of ``kind`` in ``district`` already has the most telling word of ``name``."""
        word = words(_telling_words(name))[0]
        return any(r.get("district") == district and r["kind"] == kind and word in words(r["name"])
                   for r in [*demo, *generated])

    kinds = sorted(OTHER_ENDINGS)
    spare = iter(unused)
    for _ in range(OTHER_KINDS):
        base = next(spare)
        kind = rng.choice([k for k in kinds if k != base["kind"]])
        name = f"{_telling_words(base['name'])} {OTHER_ENDINGS[kind]}"
        while clash(base["district"], kind, name):
            base = next(spare)
            name = f"{_telling_words(base['name'])} {OTHER_ENDINGS[kind]}"
        add(base, False, "same_district_other_kind", name=name, kind=kind, phone=None, email=None,
            services=_services(rng, base["services"]))
    for _ in range(SHARED_WORDS):
        base = next(spare)
        place = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = re.sub(re.escape(_telling_words(base["name"])), place, base["name"], count=1)
        if not clash(base["district"], base["kind"], name):
            add(base, False, "same_district_shared_generic_words", name=name, phone=None, email=None,
                services=_services(rng, base["services"]))
    for first, second in NEAR_NAMES:
        base = rng.choice(named)
        ending = OTHER_ENDINGS.get(base["kind"], "Community Forum")
        while clash(base["district"], base["kind"], first) or clash(base["district"], base["kind"], second):
            base = rng.choice(named)
        original = {**base, "id": f"gen-{len(generated):03d}", "name": f"{first} {ending}", "aliases": [],
                    "phone": None, "email": None}
        generated.append(original)
        add(original, False, "near_name_other_organisation", name=f"{second} {ending}",
            services=_services(rng, base["services"]))
    labelled = {frozenset((p["a"], p["b"])) for p in pairs}
    by_district: dict[str, list[dict[str, Any]]] = {}
    for record in demo:
        if record.get("district"):
            by_district.setdefault(record["district"], []).append(record)
    for members in by_district.values():
        for a, b in combinations(members, 2):
            shared = set(words(a["name"])) & set(words(b["name"]))
            if len(shared) >= 2 and frozenset((a["id"], b["id"])) not in labelled:
                pairs.append({"a": a["id"], "b": b["id"], "duplicate": False, "variant": "demo_shared_words"})
    return {"seed": seed, "records": generated, "pairs": pairs}


def _rewrite(
    rng: random.Random, name: str, writers: list[tuple[str, Callable[[random.Random, str], str | None]]]
) -> tuple[str, str]:
    """The first rewriting (in random order) that changes ``name``, and the name it writes."""
    for variant, write in rng.sample(writers, len(writers)):
        written = write(rng, name)
        if written and written != name:
            return variant, written
    raise ValueError(f"no rewriting changes {name!r}")


def _telling(name: str) -> list[str]:
    return [w for w in name.replace("-", " ").split() if distinctive(w.lower().strip("'.()"))]


def _telling_words(name: str) -> str:
    telling = _telling(name)
    return telling[0] if telling else name.split()[0]


def _services(rng: random.Random, services: list[str]) -> list[str]:
    services = list(services)
    roll = rng.random()
    if roll < 0.3 and len(services) > 1:
        services.remove(rng.choice(services))
    elif roll < 0.45:
        services.append(rng.choice(["peer_education", "advocacy", "tb_screening", "hiv_testing"]))
    return list(dict.fromkeys(services))


def _abbreviate(rng: random.Random, name: str) -> str | None:
    options = [(a, b) for a, b in ABBREVIATE if a in name]
    if not options:
        return None
    a, b = rng.choice(options)
    return name.replace(a, b)


def _typo(rng: random.Random, name: str) -> str | None:
    telling = [w for w in _telling(name) if len(w) >= 5]
    if not telling:
        return None
    word = rng.choice(telling)
    p = rng.randrange(1, len(word) - 1)
    edit = rng.choice(["delete", "substitute", "swap", "double"])
    if edit == "delete":
        typo = word[:p] + word[p + 1:]
    elif edit == "substitute":
        typo = word[:p] + rng.choice([c for c in "aeioulmnrst" if c != word[p]]) + word[p + 1:]
    elif edit == "swap":
        typo = word[:p] + word[p + 1] + word[p] + word[p + 2:]
    else:
        typo = word[:p] + word[p] + word[p:]
    return name.replace(word, typo, 1)


def _transliterate(rng: random.Random, name: str) -> str | None:
    telling = _telling(name)
    options = [(w, a, b) for w in telling for a, b in TRANSLITERATE if a in w.lower()]
    if not options:
        return None
    word, a, b = rng.choice(options)
    spelled = word.lower().replace(a, b, 1)
    return name.replace(word, spelled[0].upper() + spelled[1:], 1)


def _compound(rng: random.Random, name: str) -> str | None:
    options = [(a, b) for a, b in COMPOUNDS if a in name]
    if not options:
        return None
    a, b = rng.choice(options)
    return name.replace(a, b, 1)


def _case(rng: random.Random, name: str) -> str:
    return rng.choice([name.upper(), name.lower(), name.replace("-", " ").replace("'", "")])


def _stop_words(rng: random.Random, name: str) -> str:
    return rng.choice([f"The {name}", f"{name} NPC", f"{name} (Pty) Ltd", f"{name} NPO"])


def _accents(rng: random.Random, name: str) -> str | None:
    telling = _telling(name)
    options = [(w, i) for w in telling for i, c in enumerate(w) if c in ACCENTS]
    if not options:
        return None
    word, i = rng.choice(options)
    return name.replace(word, word[:i] + ACCENTS[word[i]] + word[i + 1:], 1)


def _leave_out(rng: random.Random, name: str) -> str | None:
    generic = [w for w in ("Community", "District", "Health", "Support", "Centre", "Group") if f" {w}" in name]
    if not generic:
        return None
    return name.replace(f" {rng.choice(generic)}", "", 1)


def _add_generic(rng: random.Random, name: str) -> str | None:
    words_ = name.split()
    if len(words_) < 2:
        return None
    at = rng.randrange(1, len(words_))
    return " ".join([*words_[:at], rng.choice(["Community", "Health", "Support"]), *words_[at:]])


def _acronym(rng: random.Random, name: str) -> str | None:
    letters = [w[0] for w in name.replace("-", " ").split() if w[0].isupper()]
    return "".join(letters) if len(letters) >= 3 else None


def load_pairs(path: Path = PAIRS_FILE) -> dict[str, Any]:
    """The labelled set as written by ``--write``."""
    return json.loads(path.read_text(encoding="utf-8"))


def evaluate(labelled: dict[str, Any], *, threshold: float = 85) -> dict[str, Any]:
    """Precision and recall of duplicate detection on the labelled set (see the module notes)."""
    G = nx.MultiDiGraph()
    for record in [*demo_records(), *labelled["records"]]:
        G.add_node(record["id"], **{k: v for k, v in record.items() if k != "id"})
    found = {frozenset(f.organisations) for f in duplicate_records(G, threshold=threshold)}
    truth = {frozenset((p["a"], p["b"])): p for p in labelled["pairs"]}
    tp = sum(1 for pair, p in truth.items() if p["duplicate"] and pair in found)
    fp = sum(1 for pair, p in truth.items() if not p["duplicate"] and pair in found)
    fn = sum(1 for pair, p in truth.items() if p["duplicate"] and pair not in found)
    missed = sorted(p["variant"] for pair, p in truth.items() if p["duplicate"] and pair not in found)
    wrong = sorted(p["variant"] for pair, p in truth.items() if not p["duplicate"] and pair in found)
    return {
        "pairs": len(truth), "duplicates": sum(p["duplicate"] for p in truth.values()),
        "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "unlabelled_found": len(found - set(truth)), "missed": missed, "wrong": wrong,
        "found": found, "truth": truth,
    }


def main(argv: list[str] | None = None) -> None:
    """Write the labelled set (``--write``) or print precision and recall on it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="regenerate bench/dedup_pairs.json")
    parser.add_argument("--threshold", type=float, default=85)
    args = parser.parse_args(argv)
    if args.write:
        PAIRS_FILE.write_text(json.dumps(build_pairs(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {PAIRS_FILE}")
        return
    result = evaluate(load_pairs(), threshold=args.threshold)
    print(f"labelled pairs: {result['pairs']} ({result['duplicates']} duplicates), threshold {args.threshold:g}")
    print(f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"(tp {result['true_positives']}, fp {result['false_positives']}, fn {result['false_negatives']})")
    print(f"pairs found that the set does not label: {result['unlabelled_found']}")
    figure("duplicate records: precision / recall", f"{result['pairs']} labelled pairs",
           f"{result['precision']:.3f} / {result['recall']:.3f}")
    if result["missed"]:
        print("missed:", ", ".join(result["missed"]))
    if result["wrong"]:
        print("wrongly paired:", ", ".join(result["wrong"]))


if __name__ == "__main__":
    main()
