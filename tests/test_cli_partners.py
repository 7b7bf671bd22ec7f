"""``cssnet invitation`` and ``cssnet review`` on a real SQLite file: invite, open, propose, edit then accept,
reject, trust; refusals exit 1 and write nothing."""

from __future__ import annotations

from network.graph.sqlite import SQLiteStore
from network.graph.store import AuditQuery
from network.service import invitations, review
from network.service.tokens import hash_secret
from tests.api_support import network_file, run_cli


def test_invite_propose_edit_accept_and_reject_at_the_command_line(tmp_path):
    db = network_file(tmp_path / "cli.db")
    made = run_cli(db, "invitation", "create", "cbo-b", "--days", "7", "--base-url", "https://net.example.org/")
    assert made.exit_code == 0, made.output
    head, link = made.output.splitlines()
    assert head.startswith("invitation inv_") and "for cbo-b, works once until" in head
    assert link.startswith("https://net.example.org/invite/")
    store = SQLiteStore(db)
    try:
        opened = invitations.open_invitation(store, link.rsplit("/", 1)[1])
        sent = review.submit(store, opened, {"corrections": {"phone": "+27 15 555 0101"},
                                             "new_ties": [{"other": "ngo-d", "kind": "mou"}]})
    finally:
        store.close()
    listed = run_cli(db, "review", "list")
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 2 and "+27 15 555 0101" in listed.output
    correct = next(p.id for p in sent if p.kind == "correct")
    tie = next(p for p in sent if p.kind == "new_tie")
    bad = run_cli(db, "review", "accept", correct, "--edit", "phone=not json")
    assert bad.exit_code == 1 and "write FIELD=JSON" in bad.output
    accepted = run_cli(db, "review", "accept", correct, "--edit", 'phone="+27 15 555 0199"', "--note", "phoned")
    assert accepted.exit_code == 0 and f"accepted {correct}" in accepted.output
    assert run_cli(db, "review", "reject", tie.id, "--note", "no MoU").exit_code == 0
    again = run_cli(db, "review", "reject", correct)
    assert again.exit_code == 1 and "accepted already" in again.output
    assert "used" in run_cli(db, "invitation", "list", "--organisation", "cbo-b").output
    store = SQLiteStore(db)
    try:
        assert store.get_organisation("cbo-b").phone == "+27 15 555 0199"
        assert [x.id for x in store.list_links().items if x.id == tie.entity_id] == []
        actions = {(e.action, e.entity) for e in store.list_audit(AuditQuery(actor="cli", limit=None)).items}
        assert {("create", "invitation"), ("accept", "proposal"), ("reject", "proposal")} <= actions
    finally:
        store.close()


def test_refusals_exit_1_and_write_nothing(tmp_path):
    db = network_file(tmp_path / "cli.db")
    for args, words in ((("invitation", "create", "ghost"), "No organisation with id 'ghost'"),
                        (("invitation", "create", "cbo-b", "--days", "120"), "from 1 to 90"),
                        (("invitation", "withdraw", "inv_nope"), "No invitation"),
                        (("review", "accept", "chg_nope"), "No proposed change"),
                        (("review", "trust", "ghost"), "No organisation")):
        answer = run_cli(db, *args)
        assert answer.exit_code == 1 and words in answer.output, (args, answer.output)
    store = SQLiteStore(db)
    try:
        assert store.list_invitations() == [] and store.trusted_organisations() == []
    finally:
        store.close()


def test_trust_and_withdraw(tmp_path):
    db = network_file(tmp_path / "cli.db")
    assert "trusted partner" in run_cli(db, "review", "trust", "ngo-d").output
    made = run_cli(db, "invitation", "create", "ngo-d").output.splitlines()
    invitation_id = made[0].split()[1]
    assert run_cli(db, "invitation", "withdraw", invitation_id).output.strip() == f"withdrew {invitation_id}"
    assert "wait for review" in run_cli(db, "review", "trust", "ngo-d", "--off").output
    store = SQLiteStore(db)
    try:
        assert store.trusted_organisations() == []
        assert store.find_token(hash_secret(made[1].rsplit("/", 1)[1])) is None
    finally:
        store.close()
