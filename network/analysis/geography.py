"""Where organisations are: great-circle distances and an organisation's place on the map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from network.model import Vocabulary

__all__ = ["EARTH_RADIUS_KM", "in_radians", "km", "km_between", "place", "province_of", "shared_district"]

#: The Earth's mean radius in kilometres.
EARTH_RADIUS_KM = 6371.0088


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle kilometres between two (latitude, longitude) points in degrees (the haversine formula).

    >>> round(km((-24.0, 29.0), (-25.0, 29.0)), 1)
    111.2
    """
    return km_between(in_radians(a), in_radians(b))


def in_radians(point: tuple[float, float]) -> tuple[float, float, float]:
    """A (latitude, longitude) point in degrees as (latitude, longitude, cosine of latitude) in radians, for
    :func:`km_between`: a caller measuring one point against many works this out once per point."""
    lat, lon = math.radians(point[0]), math.radians(point[1])
    return lat, lon, math.cos(lat)


def km_between(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """:func:`km` between two points given by :func:`in_radians` (the same float operations, so the same value).

    >>> km_between(in_radians((-24.0, 29.0)), in_radians((-25.0, 29.0))) == km((-24.0, 29.0), (-25.0, 29.0))
    True
    """
    lat1, lon1, cos1 = a
    lat2, lon2, cos2 = b
    h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def place(data: Mapping[str, Any], voc: Vocabulary, district: str | None) -> tuple[float, float] | None:
    """An organisation's (latitude, longitude): its own coordinates, else its district's centre, else its
    province's approximate centre (:attr:`Vocabulary.province_centres`), else None.

    >>> from network.model import vocabulary
    >>> place({"latitude": -24.5, "longitude": 29.9}, vocabulary(), None)
    (-24.5, 29.9)
    >>> place({"province": "Gaza"}, vocabulary(), None)  # a Mozambican province: its centre as the vocabulary gives it
    (-23.0, 32.7)
    >>> place({}, vocabulary(), None) is None
    True
    """
    if data.get("latitude") is not None and data.get("longitude") is not None:
        return (float(data["latitude"]), float(data["longitude"]))
    if district and district in voc.district_centres:
        return voc.district_centres[district]
    return voc.province_centres.get(data.get("province") or "")


def shared_district(G: nx.MultiDiGraph, nodes: Sequence[str]) -> str | None:
    """The district all of ``nodes`` are in, or None when they are in several (or none is known).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"district": "Sekhukhune"}), ("b", {"district": "Sekhukhune"}), ("c", {})])
    >>> shared_district(G, ["a", "b"]), shared_district(G, ["a", "c"])
    ('Sekhukhune', None)
    """
    districts = {G.nodes[n].get("district") for n in nodes}
    return districts.pop() if len(districts) == 1 else None


def province_of(data: Mapping[str, Any], voc: Vocabulary) -> str | None:
    """An organisation's province: the one recorded, else its district's (None when neither is known).

    >>> from network.model import vocabulary
    >>> province_of({"district": "Sekhukhune"}, vocabulary()), province_of({}, vocabulary())
    ('Limpopo', None)
    """
    return data.get("province") or voc.districts.get(data.get("district") or "")
