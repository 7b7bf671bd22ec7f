"""The write fuzz's connection to the live server: every call sent and recorded, none raising."""

from __future__ import annotations

import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.api_support import Env
from tests.fuzz_values import Raw, Vocab, encode

TIMEOUT = 30
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass
class Record:
    """Every call the fuzz made: status counts and successes per operation, and each 5xx with its input."""

    calls: Counter[str] = field(default_factory=Counter)
    successes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    #: The failures of organisation, link, import and merge writes whose body was JSON the server can read.
    record_failures: list[str] = field(default_factory=list)
    #: Writes by anonymous callers or viewers that were not refused.
    escalations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{sum(self.calls.values())} calls, statuses {dict(sorted(self.statuses.items()))}, "
                 f"{len(self.failures)} 5xx or dropped connections"]
        lines += [f"  {op}: {self.successes[op]} of {n} succeeded" for op, n in sorted(self.calls.items())]
        return "\n".join(lines)


@dataclass
class Live:
    base: str
    env: Env
    vocab: Vocab
    record: Record
    export_formats: list[str]
    import_formats: list[str]
    write_operations: set[str]
    deadline: float = 0.0
    turn: int = 0

    def headers(self, role: str | None) -> dict[str, str]:
        return self.env.auth(role)

    def call(self, op: str, method: str, path: str, role: str | None, *, body: Any = None, raw: bytes | None = None,
             headers: dict[str, str] | None = None, files: dict[str, Any] | None = None,
             data: dict[str, str] | None = None, note: str = "", unreadable: bool = False
             ) -> requests.Response | None:
        """Send one request and record it; ``None`` if the connection failed (recorded as a failure)."""
        sent = {**self.headers(role), **(headers or {})}
        content = raw if raw is not None else (encode(body) if body is not None else None)
        readable = not unreadable and raw is None and not has_raw(body) and len(sent.get("If-Match", "")) < 100
        if content is not None:
            sent["Content-Type"] = "application/json"
        self.record.calls[op] += 1
        try:
            response = requests.request(method, self.base + path, data=content if files is None else data,
                                        files=files, headers=sent, timeout=TIMEOUT)
        except requests.RequestException as err:
            self._failed(op, readable, f"{op} as {role}: {method} {path} body={shown(body, raw)} -> {err!r}")
            return None
        self.record.statuses[response.status_code] += 1
        if response.ok:
            self.record.successes[op] += 1
        if response.status_code >= 500:
            self._failed(op, readable, f"{op} as {role}: {method} {path} body={shown(body, raw, files)} {note}-> "
                                       f"{response.status_code} {response.text[:200]}")
        return response

    def _failed(self, op: str, readable: bool, line: str) -> None:
        self.record.failures.append(line)
        if readable and "/tokens" not in op:
            self.record.record_failures.append(line)

    def ids(self, collection: str) -> list[str]:
        """Every id of ``organisations`` or ``links`` in the store (as an admin)."""
        found, offset = [], 0
        while True:
            page = requests.get(f"{self.base}/api/v1/{collection}?limit=500&offset={offset}",
                                headers=self.headers("admin"), timeout=TIMEOUT).json()
            found += [item["id"] for item in page["items"]]
            offset += page["limit"]
            if offset >= page["total"]:
                return found

    def etag(self, collection: str, record_id: str) -> str | None:
        response = requests.get(f"{self.base}/api/v1/{collection}/{urllib.parse.quote(record_id, safe='')}",
                                headers=self.headers("admin"), timeout=TIMEOUT)
        return response.headers.get("ETag") if response.ok else None


def has_raw(value: Any) -> bool:
    """True if ``value`` holds a :class:`Raw` (JSON that Python's own parser cannot read back)."""
    if isinstance(value, Raw):
        return True
    if isinstance(value, dict):
        return any(has_raw(v) for v in value.values())
    return isinstance(value, list) and any(has_raw(v) for v in value)


def shown(body: Any, raw: bytes | None = None, files: Any = None) -> str:
    if files:
        return "files " + ", ".join(f"{k}: {len(v[1])} bytes" for k, v in files.items())
    text = repr(body) if raw is None else repr(raw[:60]) + f"... ({len(raw)} bytes)"
    return text if len(text) < 400 else text[:400] + "..."


def quote_id(record_id: str) -> str:
    return urllib.parse.quote(record_id, safe="")


def openapi(base: str) -> dict[str, Any]:
    return requests.get(f"{base}/api/v1/openapi.json", timeout=TIMEOUT).json()


def enum_of(doc: dict[str, Any], path: str, method: str, name: str) -> list[str]:
    op = doc["paths"][path][method]
    for p in op.get("parameters", []):
        if p["name"] == name:
            return list(p["schema"]["enum"])
    raise AssertionError(f"no parameter {name} on {method.upper()} {path}")
