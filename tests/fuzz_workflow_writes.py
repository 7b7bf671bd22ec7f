"""The write fuzz's workflow writes: invitations and proposals, monitoring, referrals, surveys, refused writes."""

from __future__ import annotations

import datetime as dt

import requests
from hypothesis import strategies as st

from tests.fuzz_live import TIMEOUT, quote_id
from tests.fuzz_record_writes import RecordWrites
from tests.fuzz_values import HOSTILE_TEXT, PLAIN_TEXT


class WorkflowWrites(RecordWrites):
    """The writes of partners and workflows: invitations and proposals, monitoring, referrals, surveys; and writes
    no one may make (unreadable bodies, anonymous and viewer callers)."""

    def invite(self, data: st.DataObject) -> None:
        """Invite a partner (and withdraw a second invitation), set a trust, send the partner's changes (a hostile
        name now and then) and decide each queued one."""
        org_id = data.draw(st.sampled_from(self.orgs))
        days = data.draw(st.one_of(st.integers(1, 90), st.sampled_from([0, 91, -5])))
        for withdrawn in (True, False):
            response = self.live.call("POST /api/v1/invitations", "POST", "/api/v1/invitations", "admin",
                                      body={"organisation": org_id, "days": days})
            if response is None or response.status_code != 201:
                return
            made = response.json()
            if withdrawn:
                self.live.call("DELETE /api/v1/invitations/{invitation_id}", "DELETE",
                               f"/api/v1/invitations/{quote_id(made['invitation']['id'])}", "admin")
        trusted = data.draw(st.sampled_from(self.orgs))
        self.live.call("PUT /api/v1/trusted/{org_id}", "PUT", f"/api/v1/trusted/{quote_id(trusted)}", "admin",
                       body={"trusted": data.draw(st.booleans())})
        name = data.draw(st.one_of(PLAIN_TEXT, PLAIN_TEXT, HOSTILE_TEXT))
        response = self.live.call("POST /api/v1/partner/{secret}", "POST",
                                  f"/api/v1/partner/{quote_id(made['secret'])}", None,
                                  body={"confirm": True, "corrections": {"name": name}})
        if response is None or response.status_code != 201:
            return
        for number, proposal in enumerate(p for p in response.json() if p["status"] == "pending"):
            decision = ("accept", "reject")[(self.live.turn + number) % 2]
            self.live.call(f"POST /api/v1/proposals/{{proposal_id}}/{decision}", "POST",
                           f"/api/v1/proposals/{quote_id(proposal['id'])}/{decision}", "editor",
                           body={"note": data.draw(st.one_of(PLAIN_TEXT, HOSTILE_TEXT))})

    def monitor(self, data: st.DataObject) -> None:
        """Record a monitoring report (a hostile note now and then), send it again with its key, escalate it."""
        monitor, facility = data.draw(self._ends())
        day = (dt.date.today() - dt.timedelta(days=data.draw(st.integers(0, 200)))).isoformat()
        barriers = data.draw(st.lists(st.sampled_from(["stockout", "long_wait", "stigma", "other"]), min_size=1,
                                      max_size=3))
        body = {"monitor": monitor, "facility": facility, "date": day, "barriers": barriers,
                "note": data.draw(st.one_of(PLAIN_TEXT, PLAIN_TEXT, HOSTILE_TEXT))}
        key = f"fuzz-{self.live.turn:06d}-{data.draw(st.integers(0, 10**6))}"
        for _ in range(2):
            response = self.live.call("POST /api/v1/monitoring", "POST", "/api/v1/monitoring", "editor", body=body,
                                      headers={"Idempotency-Key": key})
        if response is None or response.status_code not in (200, 201):
            return
        report = response.json()
        self.live.call("PATCH /api/v1/monitoring/{report_id}", "PATCH", f"/api/v1/monitoring/{quote_id(report['id'])}",
                       "editor", body={"escalation": data.draw(st.sampled_from(["raised_with_district", "resolved"]))},
                       headers={"If-Match": f'"{report["version"]}"'})

    def refer(self, data: st.DataObject) -> None:
        """Send a referral between two organisations (as an admin) and move it along a few of its steps."""
        source, target = data.draw(self._ends())
        body = {"source": source, "target": target,
                "needs": data.draw(st.lists(st.sampled_from(["tb_screening", "hiv_testing", "art"]), min_size=1,
                                            max_size=2, unique=True)),
                "population": data.draw(st.sampled_from([None, "mineworkers", "sex_workers"]))}
        response = self.live.call("POST /api/v1/referrals", "POST", "/api/v1/referrals", "admin", body=body)
        if response is None or response.status_code != 201:
            return
        code = response.json()["code"]
        steps = data.draw(st.sampled_from([["received"], ["received", "accepted", "completed"],
                                           ["received", "declined"], ["lost_to_follow_up"]]))
        for status in steps:
            step = {"status": status, **({"reason": data.draw(st.sampled_from(["full", "no_documents", "other"]))}
                                         if status == "declined" else {})}
            self.live.call("POST /api/v1/referrals/{code}/status", "POST", f"/api/v1/referrals/{quote_id(code)}/status",
                           "admin", body=step)

    def survey(self, data: st.DataObject) -> None:
        """Open a survey round between the two ends of a link and enter one side's paper answers (as an admin)."""
        link = requests.get(f"{self.live.base}/api/v1/links/{quote_id(data.draw(st.sampled_from(self.links)))}",
                            timeout=TIMEOUT)
        if link.status_code != 200:
            return
        ends = [link.json()["source"], link.json()["target"]]
        today = dt.date.today()
        round_id = f"fz-round-{self.live.turn}"
        body = {"id": round_id, "name": data.draw(st.one_of(PLAIN_TEXT, HOSTILE_TEXT)),
                "opens": (today - dt.timedelta(days=10)).isoformat(),
                "closes": (today + dt.timedelta(days=10)).isoformat(), "invited": ends}
        response = self.live.call("POST /api/v1/surveys", "POST", "/api/v1/surveys", "admin", body=body)
        if response is None or response.status_code != 201:
            return
        answers = {item: data.draw(st.integers(1, 4)) for item in
                   ("power", "involvement", "resources", "reliability", "mission", "openness")}
        self.live.call("POST /api/v1/surveys/{round_id}/answers", "POST",
                       f"/api/v1/surveys/{quote_id(round_id)}/answers", "admin",
                       body={"respondent": ends[0], "partner": ends[1], **answers, "contributes": ["referrals"]})

    def hostile_request(self, data: st.DataObject) -> None:
        """A whole body or header that no schema can read: deep nesting, a 5,000-digit If-Match, bad UTF-8."""
        collection = data.draw(st.sampled_from(["organisations", "links"]))
        if collection == "links" and not self.links:
            collection = "organisations"
        record_id = data.draw(st.sampled_from(self.orgs if collection == "organisations" else self.links))
        kind = data.draw(st.sampled_from(["deep", "digits", "utf8", "if-match", "number"]))
        path = f"/api/v1/{collection}/{quote_id(record_id)}"
        op = ("PATCH /api/v1/organisations/{org_id}" if collection == "organisations" else
              "PATCH /api/v1/links/{link_id}") + " (unreadable)"
        if kind == "if-match":
            self.live.call(op, "PATCH", path, "editor", body={"notes" if collection == "links" else "name": "x"},
                           headers={"If-Match": '"' + "9" * 5000 + '"'})
            return
        raw = {"deep": b"[" * 100_000 + b"]" * 100_000, "digits": b'{"name": ' + b"9" * 5000 + b"}",
               "utf8": b'{"name": "\xed\xa0\x80 \xff\xfe"}', "number": b'{"name": 1e999999}'}[kind]
        self.live.call(op, "PATCH", path, "editor", raw=raw, headers=self._if_match(data, collection, record_id))

    def unauthorised_write(self, data: st.DataObject) -> None:
        """A valid write as an anonymous caller or a viewer: refused (401 or 403), whatever it is."""
        role = data.draw(st.sampled_from([None, "viewer"]))
        org_id = data.draw(st.sampled_from(self.orgs))
        quoted = f"/api/v1/organisations/{quote_id(org_id)}"
        tag = {"If-Match": self.live.etag("organisations", org_id) or '"1"'}
        csv_file = {"organisations": ("organisations.csv", b"id,name,kind\nfz-anon,Anon,cbo\n")}
        method, path, kwargs = data.draw(st.sampled_from([
            ("POST", "/api/v1/organisations", {"body": {"id": "fz-anon", "name": "Anon", "kind": "cbo"}}),
            ("PATCH", quoted, {"body": {"name": "Anon"}, "headers": tag}),
            ("PUT", quoted, {"body": {"id": org_id, "name": "Anon", "kind": "cbo"}, "headers": tag}),
            ("DELETE", quoted + "?cascade=true", {"headers": tag}),
            ("POST", "/api/v1/import", {"files": csv_file, "data": {"format": "csv"}}),
            ("POST", "/api/v1/merge", {"body": {"keep": org_id, "drop": self.orgs[0] if org_id != self.orgs[0]
                                                else self.orgs[-1]}}),
            ("POST", "/api/v1/tokens", {"body": {"name": "anon", "role": "admin"}}),
        ]))
        who = role or "anonymous"
        route = "/api/v1/organisations/{org_id}" if path.startswith(quoted) else path
        response = self.live.call(f"{method} {route} as {who}", method, path, role, **kwargs)
        if response is not None and response.status_code not in (401, 403):
            self.live.record.escalations.append(f"{who} {method} {path} -> {response.status_code}")
        if response is not None and response.ok:
            self._resync()
