"""GeoJSON of organisations, for QGIS and web maps."""

from __future__ import annotations

import json
from typing import Any

from network.graph.store import GraphStore
from network.io.records import exported_organisations
from network.model import SAFE_ORGANISATION_FIELDS
from network.schemas import dump_organisation

__all__ = ["geojson_bytes", "geojson"]

_PROPERTIES = tuple(f for f in SAFE_ORGANISATION_FIELDS if f not in ("updated_at", "version"))


def geojson(store: GraphStore, *, hide_protected: bool = False) -> dict[str, Any]:
    """A FeatureCollection with one Point ``[longitude, latitude]`` per organisation that has coordinates.

    Properties are the safe fields only (never phone, email, website or
    municipality); lists stay JSON arrays and dates ISO strings. With
    ``hide_protected`` a sensitive organisation has no coordinates and so no feature.
    """
    features = []
    for org in exported_organisations(store, hide_protected=hide_protected):
        if org.latitude is None or org.longitude is None:
            continue
        data = dump_organisation(org)
        features.append(
            {
                "type": "Feature",
                "id": org.id,
                "geometry": {"type": "Point", "coordinates": [org.longitude, org.latitude]},
                "properties": {name: data[name] for name in _PROPERTIES},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def geojson_bytes(store: GraphStore, *, hide_protected: bool = False) -> bytes:
    """:func:`geojson` as UTF-8 bytes."""
    return json.dumps(geojson(store, hide_protected=hide_protected), ensure_ascii=False).encode("utf-8")
