"""Open Referral HSDS 3.0 as a tabular data package, for service directories.

The zip holds ``datapackage.json`` and five CSV tables:

* ``organizations.csv`` -- one row per organisation (required: ``id``, ``name``, ``description``);
* ``services.csv`` -- one row per (organisation, service code) (required: ``id``, ``name``,
  ``status`` in active | inactive | defunct | temporarily closed; ``organization_id``);
* ``locations.csv`` -- one physical location per organisation with a district or
  coordinates (required: ``id``, ``location_type``);
* ``service_at_location.csv`` -- each service at its organisation's location
  (required: ``id``, ``service_id``, ``location_id``);
* ``addresses.csv`` -- each location's country (ISO 3166-1 alpha-2), province
  (``state_province``) and district (``region``). cssnet keeps no street address,
  so of HSDS's required address fields only ``id``, ``location_id``, ``country`` and
  ``address_type`` are filled and marked required here.

An organisation outside South Africa has a location (and so an address) even
without a district or coordinates: its country is where a directory finds it.

HSDS identifiers are UUIDs: each is ``uuid5`` of :data:`NAMESPACE` and a
cssnet key (``organisation:<id>``, ``service:<id>:<code>``, ``location:<id>``,
``service_at_location:<id>:<code>``), so they are stable across exports and
resolve between tables. With ``hide_protected``, sensitive organisations have
no email, website or coordinates. As in every CSV export, text a spreadsheet
would run as a formula is escaped (:mod:`network.io.cells`).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from typing import Any

from network.graph.store import GraphStore
from network.io.cells import escape_formula
from network.io.records import exported_organisations
from network.model import DEFAULT_COUNTRY, Organisation, vocabulary

__all__ = ["hsds_package", "hsds_tables", "hsds_id", "NAMESPACE", "TABLES"]

#: The namespace of every HSDS identifier cssnet derives.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cssnet.invalid/hsds/3.0")

_UUID = {"type": "string", "format": "uuid"}
_TEXT = {"type": "string"}

#: Table name -> list of (field, descriptor, required).
TABLES: dict[str, list[tuple[str, dict[str, Any], bool]]] = {
    "organizations": [
        ("id", _UUID, True),
        ("name", _TEXT, True),
        ("alternate_name", _TEXT, False),
        ("description", _TEXT, True),
        ("email", {"type": "string", "format": "email"}, False),
        ("website", {"type": "string", "format": "uri"}, False),
    ],
    "services": [
        ("id", _UUID, True),
        ("organization_id", _UUID, True),
        ("name", _TEXT, True),
        ("description", _TEXT, False),
        (
            "status",
            {
                "type": "string",
                "constraints": {"enum": ["active", "inactive", "defunct", "temporarily closed"]},
            },
            True,
        ),
        ("eligibility_description", _TEXT, False),
        ("assured_date", _TEXT, False),
    ],
    "locations": [
        ("id", _UUID, True),
        (
            "location_type",
            {"type": "string", "constraints": {"enum": ["physical", "postal", "virtual"]}},
            True,
        ),
        ("organization_id", _UUID, False),
        ("name", _TEXT, False),
        ("description", _TEXT, False),
        ("latitude", {"type": "number"}, False),
        ("longitude", {"type": "number"}, False),
    ],
    "service_at_location": [
        ("id", _UUID, True),
        ("service_id", _UUID, True),
        ("location_id", _UUID, True),
        ("description", _TEXT, False),
    ],
    "addresses": [
        ("id", _UUID, True),
        ("location_id", _UUID, True),
        ("region", _TEXT, False),
        ("state_province", _TEXT, False),
        ("country", {"type": "string", "constraints": {"pattern": "^[A-Z]{2}$"}}, True),
        ("address_type", {"type": "string", "constraints": {"enum": ["physical", "postal", "virtual"]}}, True),
    ],
}

_FOREIGN_KEYS = {
    "services": [("organization_id", "organizations")],
    "locations": [("organization_id", "organizations")],
    "service_at_location": [("service_id", "services"), ("location_id", "locations")],
    "addresses": [("location_id", "locations")],
}


def hsds_id(*parts: str) -> str:
    """The stable HSDS UUID of a cssnet record.

    >>> hsds_id("organisation", "a") == hsds_id("organisation", "a") != hsds_id("organisation", "b")
    True
    """
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def hsds_tables(store: GraphStore, *, hide_protected: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The five HSDS tables as lists of rows (``None`` for an empty cell)."""
    vocab = vocabulary()
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for org in exported_organisations(store, hide_protected=hide_protected):
        org_uuid = hsds_id("organisation", org.id)
        tables["organizations"].append(
            {
                "id": org_uuid,
                "name": org.name,
                "alternate_name": "; ".join(org.aliases) or None,
                "description": org.description or vocab.organisation_kinds.get(org.kind, org.kind),
                "email": org.email,
                "website": org.website,
            }
        )
        location = _location(org, org_uuid)
        if location:
            tables["locations"].append(location)
            tables["addresses"].append({"id": hsds_id("address", org.id), "location_id": location["id"],
                                        "region": org.district, "state_province": org.province,
                                        "country": org.country, "address_type": "physical"})
        for code in org.services:
            service_uuid = hsds_id("service", org.id, code)
            tables["services"].append(
                {
                    "id": service_uuid,
                    "organization_id": org_uuid,
                    "name": vocab.services.get(code, code),
                    "description": f"{vocab.services.get(code, code)} by {org.name}",
                    "status": "active" if org.status == "active" else "inactive",
                    "eligibility_description": _eligibility(org),
                    "assured_date": org.last_verified.isoformat() if org.last_verified else None,
                }
            )
            if location:
                tables["service_at_location"].append(
                    {
                        "id": hsds_id("service_at_location", org.id, code),
                        "service_id": service_uuid,
                        "location_id": location["id"],
                        "description": None,
                    }
                )
    return tables


def hsds_package(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """The HSDS 3.0 tabular data package as zip bytes."""
    tables = hsds_tables(store, hide_protected=hide_protected)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("datapackage.json", json.dumps(_descriptor(), indent=2))
        for name, rows in tables.items():
            text = io.StringIO(newline="")
            writer = csv.DictWriter(text, [f for f, _, _ in TABLES[name]])
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
            package.writestr(f"{name}.csv", text.getvalue())
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell: nothing is empty, text a spreadsheet would run is escaped, numbers stay numbers."""
    if value is None:
        return ""
    return escape_formula(value) if isinstance(value, str) else value


def _location(org: Organisation, org_uuid: str) -> dict[str, Any] | None:
    if org.latitude is None and not org.district and not org.province and org.country == DEFAULT_COUNTRY:
        return None
    country = vocabulary().country_label(org.country) if org.country != DEFAULT_COUNTRY else None
    place = ", ".join(p for p in (org.municipality, org.district, org.province, country) if p)
    return {
        "id": hsds_id("location", org.id),
        "location_type": "physical",
        "organization_id": org_uuid,
        "name": f"{org.name} ({place})" if place else org.name,
        "description": place or None,
        "latitude": org.latitude,
        "longitude": org.longitude,
    }


def _eligibility(org: Organisation) -> str:
    if not org.populations:
        return "General population."
    labels = vocabulary().populations
    return "Serves: " + ", ".join(labels.get(p, p) for p in org.populations) + "."


def _descriptor() -> dict[str, Any]:
    resources = []
    for name, fields in TABLES.items():
        schema: dict[str, Any] = {
            "fields": [
                {
                    "name": f,
                    **descriptor,
                    "constraints": {**descriptor.get("constraints", {}), "required": required},
                }
                for f, descriptor, required in fields
            ],
            "primaryKey": "id",
        }
        if name in _FOREIGN_KEYS:
            schema["foreignKeys"] = [
                {"fields": field, "reference": {"resource": target, "fields": "id"}}
                for field, target in _FOREIGN_KEYS[name]
            ]
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "cssnet-hsds",
        "profile": "tabular-data-package",
        "description": "Open Referral HSDS 3.0 export of a cssnet partner network.",
        "resources": resources,
    }
