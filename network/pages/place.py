"""Where an organisation is, drawn offline: an inline SVG of the district centres, its district and its point."""

from __future__ import annotations

from html import escape
from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from network.model import vocabulary

__all__ = ["place_map"]

#: Drawing size in pixels, and the margin (degrees) around the district centres.
WIDTH, HEIGHT, MARGIN = 320, 260, 0.8


def place_map(org: dict[str, Any]) -> Markup | None:
    """An SVG map of every district centre, ``org``'s district ringed and its own point marked.

    An organisation known only by its province has its province's approximate
    centre ringed instead (see :attr:`network.model.Vocabulary.province_centres`).

    ``org`` is the organisation as the caller may see it: a protected location
    has no ``latitude``/``longitude`` there, so no point is drawn. None when
    there is neither a district nor a point to show.

    >>> svg = place_map({"name": "Hope CBO", "district": "Sekhukhune", "latitude": -24.6, "longitude": 30.0})
    >>> svg.startswith("<svg") and 'class="here"' in svg and 'class="home"' in svg
    True
    >>> 'class="here"' in place_map({"name": "Hidden", "district": "Sekhukhune"})
    False
    >>> 'aria-label="Map: Xai-Xai Clinic in Gaza"' in place_map({"name": "Xai-Xai Clinic", "province": "Gaza"})
    True
    >>> place_map({"name": "National body"}) is None
    True
    """
    voc = vocabulary()
    centres = voc.district_centres
    district = org.get("district") if org.get("district") in centres else None
    province = org.get("province") if district is None and org.get("province") in voc.province_centres else None
    lat, lon = org.get("latitude"), org.get("longitude")
    point = (lat, lon) if isinstance(lat, int | float) and isinstance(lon, int | float) else None
    if district is None and province is None and point is None:
        return None
    lats = [c[0] for c in centres.values()] + ([point[0]] if point else [])
    lons = [c[1] for c in centres.values()] + ([point[1]] if point else [])
    south, north = min(lats) - MARGIN, max(lats) + MARGIN
    west, east = min(lons) - MARGIN, max(lons) + MARGIN
    scale = min(WIDTH / (east - west), HEIGHT / (north - south))

    def xy(la: float, lo: float) -> tuple[float, float]:
        return round((lo - west) * scale, 1), round((north - la) * scale, 1)

    parts = []
    for name, (la, lo) in sorted(centres.items()):
        x, y = xy(la, lo)
        css = "home" if name == district else "centre"
        radius = 6 if css == "home" else 2.5
        parts.append(f'<circle class="{css}" cx="{x}" cy="{y}" r="{radius}"><title>{escape(name)}</title></circle>')
    if province is not None:
        x, y = xy(*voc.province_centres[province])
        parts.append(f'<circle class="home" cx="{x}" cy="{y}" r="6"><title>{escape(province)}</title></circle>')
    where = district or province
    if where is not None:
        x, y = xy(*(centres[district] if district else voc.province_centres[where]))
        parts.append(f'<text x="{x + 8}" y="{y + 4}">{escape(where)}</text>')
    if point is not None:
        x, y = xy(*point)
        parts.append(f'<circle class="here" cx="{x}" cy="{y}" r="4"><title>{escape(str(org.get("name", "")))}'
                     f'</title></circle>')
    width, height = round((east - west) * scale), round((north - south) * scale)
    named = str(org.get("name", ""))
    label = escape(gettext("Map: %(name)s in %(district)s", name=named, district=where) if where
                   else gettext("Map: %(name)s", name=named))
    return Markup(f'<svg class="place-map" id="place-map" role="img" aria-label="{label}" '
                  f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">{"".join(parts)}</svg>')
