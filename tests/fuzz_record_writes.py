"""The write fuzz's record writes: organisations, links, imports, merges and tokens, with real ids and ETags."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import strategies as st

from tests.fuzz_live import TIMEOUT, Live, has_raw, quote_id, shown
from tests.fuzz_values import (
    HOSTILE,
    HOSTILE_TEXT,
    IDS,
    ORG_FIELDS,
    PLAIN_TEXT,
    csv_bytes,
    encode,
    flat,
    link_body,
    organisation_body,
)


class RecordWrites:
    """Creates, changes and deletes of organisations and links, imports, merges and tokens, each drawn by hypothesis.

    ``orgs`` and ``links`` are the store's ids, re-read after each delete, merge or import.
    """

    live: Live
    orgs: list[str]
    links: list[str]
    #: How many kinds of write take turns (PATCH and PUT, previews and merges alternate by round).
    kinds: int = 1

    def _resync(self) -> None:
        self.orgs, self.links = self.live.ids("organisations"), self.live.ids("links")

    # organisations

    def create_organisation(self, data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(["editor", "admin"]))
        body = data.draw(organisation_body(self.live.vocab, IDS.map("fz-{}".format)))
        response = self.live.call("POST /api/v1/organisations", "POST", "/api/v1/organisations", role, body=body)
        if response is not None and response.status_code == 201:
            self.orgs.append(response.json()["id"])

    def change_organisation(self, data: st.DataObject) -> None:
        role, patch = data.draw(st.sampled_from(["editor", "admin"])), data.draw(st.booleans())
        org_id = data.draw(st.sampled_from(self.orgs))
        body = data.draw(organisation_body(self.live.vocab, st.just(org_id)))
        if patch:
            keep = data.draw(st.sets(st.sampled_from(sorted(body)), min_size=1))
            body = {k: v for k, v in body.items() if k in keep and k != "id"} or {"name": "Renamed"}
        method = "PATCH" if patch else "PUT"
        self.live.call(f"{method} /api/v1/organisations/{{org_id}}", method,
                       f"/api/v1/organisations/{quote_id(org_id)}", role, body=body,
                       headers=self._if_match(data, "organisations", org_id))

    def delete_organisation(self, data: st.DataObject) -> None:
        cascade, role = data.draw(st.booleans()), data.draw(st.sampled_from(["admin", "admin", "editor"]))
        org_id = data.draw(st.sampled_from(self.orgs))
        query = "?cascade=true" if cascade else ""
        self.live.call("DELETE /api/v1/organisations/{org_id}", "DELETE",
                       f"/api/v1/organisations/{quote_id(org_id)}{query}", role,
                       headers=self._if_match(data, "organisations", org_id))
        self._resync()

    # links

    def create_link(self, data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(["editor", "admin"]))
        body = data.draw(link_body(self.live.vocab, IDS.map("fzl-{}".format), self._ends()))
        response = self.live.call("POST /api/v1/links", "POST", "/api/v1/links", role, body=body)
        if response is not None and response.status_code == 201:
            self.links.append(response.json()["id"])

    def change_link(self, data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(["editor", "admin"]))
        patch = (self.live.turn // self.kinds) % 2 == 0  # PATCH and PUT take turns, so each gets its tries
        link_id = data.draw(st.sampled_from(self.links))
        body = data.draw(link_body(self.live.vocab, st.just(link_id), self._ends()))
        if patch:
            keep = data.draw(st.sets(st.sampled_from(sorted(body)), min_size=1))
            body = {k: v for k, v in body.items() if k in keep and k not in ("id", "source", "target")} or {
                "notes": "changed"}
        method = "PATCH" if patch else "PUT"
        self.live.call(f"{method} /api/v1/links/{{link_id}}", method, f"/api/v1/links/{quote_id(link_id)}", role,
                       body=body, headers=self._if_match(data, "links", link_id))

    def delete_link(self, data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(["admin", "admin", "editor"]))
        link_id = data.draw(st.sampled_from(self.links))
        self.live.call("DELETE /api/v1/links/{link_id}", "DELETE", f"/api/v1/links/{quote_id(link_id)}", role,
                       headers=self._if_match(data, "links", link_id))
        self._resync()

    # imports, merges, tokens

    def import_an_export(self, data: st.DataObject) -> None:
        """Export the store in an importable format and import it back (every record updated in place)."""
        successes = self.live.record.successes
        least = min(self.live.import_formats, key=lambda f: successes[f"import {f}"])
        fmt = data.draw(st.sampled_from([least, *self.live.import_formats]))
        exported = requests.get(f"{self.live.base}/api/v1/export?format={fmt}", headers=self.live.headers("admin"),
                                timeout=TIMEOUT)
        if not exported.ok:
            self.live.record.failures.append(f"export {fmt} as admin -> {exported.status_code}")
            return
        self._import(fmt, {"file": (f"cssnet-export.{'zip' if fmt == 'csv' else fmt}", exported.content)})

    def import_generated_csv(self, data: st.DataObject) -> None:
        """Import organisations.csv and links.csv written from generated records, hostile cells included."""
        extra = data.draw(st.lists(st.tuples(st.sampled_from(ORG_FIELDS[1:-1]), HOSTILE_TEXT), max_size=2))
        org = data.draw(organisation_body(self.live.vocab, IDS.map("fzi-{}".format)).filter(flat))
        org.update(extra)
        link = data.draw(link_body(self.live.vocab, IDS.map("fzil-{}".format), self._ends()).filter(flat))
        files = {"organisations": ("organisations.csv", csv_bytes([org])),
                 "links": ("links.csv", csv_bytes([link]))}
        self._import("csv", files, f"(organisation {org!r}, link {link!r}) "[:600])

    def import_generated_json(self, data: st.DataObject) -> None:
        """Import the store's node-link JSON with one node's field (or a new node) given a hostile value."""
        value = data.draw(HOSTILE)
        exported = requests.get(f"{self.live.base}/api/v1/export?format=json", headers=self.live.headers("admin"),
                                timeout=TIMEOUT)
        document = exported.json()
        nodes = document.get("nodes", [])
        if nodes:
            node = dict(data.draw(st.sampled_from(nodes)))
            if data.draw(st.booleans()):
                node["id"] = data.draw(IDS.map("fzj-{}".format))
                nodes.append(node)
            else:
                nodes[nodes.index(next(n for n in nodes if n["id"] == node["id"]))] = node
            name = data.draw(st.sampled_from(ORG_FIELDS[1:]))
            node[name] = value
            note = f"(node {node['id']!r}: {name} = {shown(value)}) "
        self._import("json", {"file": ("cssnet.json", encode(document))}, note if nodes else "", has_raw(value))

    def merge(self, data: st.DataObject) -> None:
        apply = (self.live.turn // self.kinds) % 2 == 1  # a preview, then a merge, in turn
        prefer = data.draw(st.sampled_from(["keep", "drop"]))
        keep, drop = data.draw(st.lists(st.sampled_from(self.orgs), min_size=2, max_size=2, unique=True))
        body = {"keep": keep, "drop": drop, "prefer": prefer}
        path = "/api/v1/merge" if apply else "/api/v1/merge/preview"
        self.live.call(f"POST {path}", "POST", path, "admin", body=body)
        if apply:
            self._resync()

    def token(self, data: st.DataObject) -> None:
        name = data.draw(st.one_of(PLAIN_TEXT, HOSTILE_TEXT))
        role = data.draw(st.sampled_from(["viewer", "editor", "admin"]))
        response = self.live.call("POST /api/v1/tokens", "POST", "/api/v1/tokens", "admin",
                                  body={"name": name, "role": role})
        if response is not None and response.status_code == 201:
            token_id = response.json()["token"]["id"]
            self.live.call("DELETE /api/v1/tokens/{token_id}", "DELETE", f"/api/v1/tokens/{quote_id(token_id)}",
                           "admin")

    # helpers

    def _ends(self) -> st.SearchStrategy[tuple[str, str]]:
        return st.lists(st.sampled_from(self.orgs), min_size=2, max_size=2, unique=True).map(tuple)

    def _if_match(self, data: st.DataObject, collection: str, record_id: str) -> dict[str, str]:
        """The record's current ETag, or now and then a stale, malformed or missing one."""
        tag = self.live.etag(collection, record_id) or '"1"'
        choice = data.draw(st.sampled_from(["current"] * 6 + ["stale", "junk", "none"]))
        return {"current": {"If-Match": tag}, "stale": {"If-Match": '"0"'}, "junk": {"If-Match": "W/\"x\x7f\""},
                "none": {}}[choice]

    def _import(self, fmt: str, files: dict[str, Any], note: str = "", unreadable: bool = False) -> None:
        response = self.live.call("POST /api/v1/import", "POST", "/api/v1/import", "admin", files=files,
                                  data={"format": fmt}, note=f"({fmt}) {note}", unreadable=unreadable)
        self.live.record.calls[f"import {fmt}"] += 1
        if response is not None and response.ok:
            self.live.record.successes[f"import {fmt}"] += 1
        if response is not None and response.ok:
            self._resync()
