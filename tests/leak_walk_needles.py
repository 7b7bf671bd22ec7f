"""The leak walk's needles: every way a protected value of a sensitive demo organisation could be written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.http_support import DEMO_DIR, PROTECTED, external_id_values, is_sensitive


@dataclass(frozen=True)
class Needle:
    """One way a protected value of a sensitive organisation could be written."""

    org_id: str
    field: str
    value: str
    literal: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        """Where the needle is in ``text`` (lower-cased): its literal found, then the pattern's bounds checked there.

        (Searching the patterns themselves, which start with a look-behind, takes seconds on a large page.)
        """
        at = text.find(self.literal)
        while at >= 0:
            match = self.pattern.match(text, at)
            if match:
                return match
            at = text.find(self.literal, at + 1)
        return None


def _number_patterns(written: str) -> list[tuple[str, str]]:
    """A coordinate as written, and rounded or cut to 3 decimals (sign left out: '-' may be dropped or moved)."""
    digits = written.strip().lstrip("+-")
    whole, _, frac = digits.partition(".")
    cut = f"{whole}.{frac[:3]}" if frac else whole
    rounded = f"{round(float(digits), 3):.3f}"
    return [(v, rf"(?<![\d.]){re.escape(v)}\d*") for v in dict.fromkeys((cut, rounded))]


def _text_pattern(value: str) -> tuple[str, str]:
    return value.lower(), rf"(?<!\w){re.escape(value.lower())}(?!\w)"


def needles(row: dict[str, str]) -> list[Needle]:
    """Every needle of a sensitive organisation's CSV row (protected fields only)."""
    found: list[tuple[str, str, tuple[str, str]]] = []
    for name in PROTECTED:
        value = " ".join(row.get(name, "").split())
        if not value:
            continue
        if name in ("latitude", "longitude"):
            found += [(name, value, p) for p in _number_patterns(value)]
        elif name == "phone":
            digits = re.sub(r"\D", "", value)
            national = "0" + digits[2:] if digits.startswith("27") else digits
            found += [(name, value, _text_pattern(value))]
            found += [(name, value, (d, rf"(?<!\d){d}(?!\d)")) for d in dict.fromkeys((digits, national))]
        elif name == "website":
            bare = re.sub(r"^https?://", "", value).rstrip("/")
            found += [(name, value, _text_pattern(v)) for v in dict.fromkeys((value, bare))]
        elif name == "description":
            pieces = [p.strip(" .,;") for p in re.split(r"[().;]", value)]
            found += [(name, value, _text_pattern(v)) for v in dict.fromkeys([value, *pieces]) if len(v) >= 12]
        elif name == "external_ids":
            for item in external_id_values(value):
                tokens = [t for t in item.split() if len(t) >= 5 and t != item]
                found += [(name, item, _text_pattern(v)) for v in (item, *tokens)]
        else:
            found.append((name, value, _text_pattern(value)))
    return [Needle(row["id"], name, value, literal, re.compile(pattern)) for name, value, (literal, pattern) in found]


def public_corpus(organisations: list[dict[str, str]], links_csv: str) -> str:
    """Everything a public caller may legitimately see of the demo, lower-cased: to tell needles apart."""
    public_fields = [k for k in organisations[0] if k not in PROTECTED]
    rows = ["|".join(r.values() if not is_sensitive(r) else (r[k] for k in public_fields)) for r in organisations]
    vocabulary = [p.read_text(encoding="utf-8") for p in sorted((DEMO_DIR.parent / "vocabulary").glob("*.json"))]
    return "\n".join([*rows, links_csv, *vocabulary]).lower()


def canary_rows(organisations: list[dict[str, str]]) -> list[dict[str, str]]:
    """The demo organisations, each sensitive one's protected values replaced by values found nowhere else."""
    out = []
    for n, row in enumerate((r for r in organisations if is_sensitive(r)), start=1):
        out.append({**row, "municipality": f"Qzm{n:02d}ville", "latitude": f"-34.{n:02d}123",
                    "longitude": f"19.{n:02d}321", "phone": f"+27 87 190 {n:04d}",
                    "email": f"qze{n:02d}@qzmail.example.org", "website": f"https://qzw{n:02d}.example.org",
                    "description": f"Qzd{n:02d} protected free text, ending qzt{n:02d}.",
                    "external_ids": f"npo=QZX{n:02d}-NPO;dhis2=qzh{n:02d}"})
    by_id = {r["id"]: r for r in out}
    return [by_id.get(r["id"], r) for r in organisations]
