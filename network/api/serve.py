"""Serve the app with waitress (a production WSGI server), and a seeded demo app to try it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from network.graph.sqlite import SQLiteStore
from network.service.audit import CLI
from network.service.tokens import create_token

from . import create_app

__all__ = ["serve", "demo_app", "make_server", "stop_server"]


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> Any:
    """A waitress server for ``app`` (not started); ``port=0`` picks a free port (see ``.effective_port``)."""
    from waitress.server import create_server

    return create_server(app, host=host, port=port, threads=threads, ident="cssnet")


def stop_server(server: Any) -> None:
    """Stop a server made by ``make_server`` whose ``run()`` loop is running in another thread.

    The tasks in hand are finished, then the sockets are closed by the loop
    itself (through its trigger), so its ``run()`` returns; closing them from
    this thread could leave the loop waiting on a closed socket.
    """
    from waitress import wasyncore

    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve ``app`` on ``host:port`` with waitress until interrupted (loopback by default)."""
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=threads, ident="cssnet")


def demo_app(tmpdir: str | Path) -> tuple[Flask, str]:
    """An app on a fresh demo store in ``tmpdir`` and the secret of an admin token for it."""
    from network.service import seed_demo

    store = SQLiteStore(Path(tmpdir) / "cssnet-demo.db")
    seed_demo(store, actor=CLI)
    _, secret = create_token(store, "demo admin", "admin", actor=CLI)
    return create_app({"STORE": store}), secret
