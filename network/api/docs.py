"""``/api/v1/docs``: the API reference as a plain HTML page rendered from the OpenAPI document (offline)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template_string

__all__ = ["blp", "operations"]

blp = Blueprint("api_docs", __name__)

_METHODS = ("get", "post", "put", "patch", "delete")

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ info.title }} {{ info.version }}: API reference</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}
h2{border-top:1px solid #ccc;padding-top:.8rem;font-size:1.1rem}
.m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:.85rem}
</style></head><body>
<h1>{{ info.title }} {{ info.version }}</h1>
<p>The machine-readable document is <a href="{{ spec_url }}">{{ spec_url }}</a>. Send a token as
<code>Authorization: Bearer &lt;token&gt;</code>. Errors are JSON <code>{code, status, message, errors}</code>.
Lists answer <code>{items, total, limit, offset}</code>.</p>
<nav><ul>{% for op in ops %}<li><a href="#{{ op.anchor }}">{{ op.method|upper }} {{ op.path }}</a></li>
{% endfor %}</ul></nav>
{% for op in ops %}
<h2 id="{{ op.anchor }}"><span class="m">{{ op.method }}</span> {{ op.path }}</h2>
<p>{{ op.summary }}</p>{% if op.description %}<p>{{ op.description }}</p>{% endif %}
{% if op.parameters %}<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th><th>about</th></tr>
{% for p in op.parameters %}<tr><td>{{ p.name }}</td><td>{{ p["in"] }}</td><td>{{ "yes" if p.required else "" }}</td>
<td>{{ p.type }}</td><td>{{ p.description }}</td></tr>{% endfor %}</table>{% endif %}
{% if op.body %}<p>Request body ({{ op.body_type }}):</p><pre>{{ op.body }}</pre>{% endif %}
<p>Responses: {% for code, text in op.responses %}<b>{{ code }}</b> {{ text }}{% if not loop.last %}; {% endif %}
{% endfor %}</p>
{% endfor %}
<h2 id="schemas">Schemas</h2>
{% for name, schema in schemas %}<h3>{{ name }}</h3><pre>{{ schema }}</pre>{% endfor %}
</body></html>"""


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document, flattened for the reference page."""
    ops = []
    for path, item in sorted(spec.get("paths", {}).items()):
        shared = item.get("parameters", [])
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            body_type, body_schema = next(iter(body.items()), (None, None))
            ops.append({
                "path": path, "method": method, "anchor": f"{method}-{path}".replace("/", "-").strip("-"),
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "parameters": [{**p, "type": _type(p.get("schema", {}))} for p in [*shared, *op.get("parameters", [])]],
                "body_type": body_type,
                "body": json.dumps(body_schema.get("schema"), indent=1) if body_schema else "",
                "responses": [(code, r.get("description") or r.get("$ref", "").rsplit("/", 1)[-1])
                              for code, r in op.get("responses", {}).items()],
            })
    return ops


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items', {}))}"
    return str(schema.get("type", "any")) + (f" ({schema['format']})" if "format" in schema else "")


@blp.get("/api/v1/docs")
def reference() -> str:
    """The API reference page."""
    spec = current_app.extensions["cssnet_api"].spec.to_dict()
    components = spec.get("components", {}).get("schemas", {})
    schemas = sorted((name, json.dumps(schema, indent=1)) for name, schema in components.items())
    return render_template_string(_PAGE, info=spec["info"], ops=operations(spec), schemas=schemas,
                                  spec_url="/api/v1/openapi.json")
