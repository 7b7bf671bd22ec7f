"""Smoke test: a real ArcadeDB Bolt server, driven by the official neo4j driver."""

from __future__ import annotations

import neo4j

from tests.bolt_server import start_bolt_server

UPSERT_ORGS = """
UNWIND $rows AS row
MERGE (o:Organisation {id: row.id})
SET o += row.props
"""

UPSERT_MOUS = """
UNWIND $rows AS row
MATCH (a:Organisation {id: row.source}), (b:Organisation {id: row.target})
MERGE (a)-[r:MOU {id: row.id}]->(b)
SET r += row.props
"""

READ_ORGS = """
MATCH (o:Organisation)
RETURN o.id AS id, o.name AS name, o.services AS services
ORDER BY o.id
"""

READ_MOUS = """
MATCH (a:Organisation)-[r:MOU]->(b:Organisation)
RETURN a.id AS source, b.id AS target, type(r) AS type, r.id AS id,
       r.signed AS signed, r.active AS active
"""


def test_bolt_server_round_trip(tmp_path_factory):
    server = start_bolt_server(tmp_path_factory.mktemp("arcadedb"))
    try:
        assert server.uri.startswith("bolt://127.0.0.1:")
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            with driver.session(database=server.database) as session:
                orgs = [
                    {"id": "org-1", "props": {"name": "Alpha Trust", "services": ["food", "housing"]}},
                    {"id": "org-2", "props": {"name": "Beta Aid", "services": ["legal"]}},
                ]
                mous = [
                    {
                        "id": "mou-1",
                        "source": "org-1",
                        "target": "org-2",
                        "props": {"signed": "2024-05-01", "active": True},
                    }
                ]
                session.execute_write(lambda tx: tx.run(UPSERT_ORGS, rows=orgs).consume())
                session.execute_write(lambda tx: tx.run(UPSERT_MOUS, rows=mous).consume())
                # idempotent: running the upserts again must not duplicate anything
                session.execute_write(lambda tx: tx.run(UPSERT_ORGS, rows=orgs).consume())
                session.execute_write(lambda tx: tx.run(UPSERT_MOUS, rows=mous).consume())

                org_rows = session.execute_read(lambda tx: tx.run(READ_ORGS).data())
                mou_rows = session.execute_read(lambda tx: tx.run(READ_MOUS).data())

        assert org_rows == [
            {"id": "org-1", "name": "Alpha Trust", "services": ["food", "housing"]},
            {"id": "org-2", "name": "Beta Aid", "services": ["legal"]},
        ]
        assert mou_rows == [
            {
                "source": "org-1",
                "target": "org-2",
                "type": "MOU",
                "id": "mou-1",
                "signed": "2024-05-01",
                "active": True,
            }
        ]
    finally:
        assert server.stop() == 0
    assert not server.is_running()
