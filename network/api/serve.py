"""Serve the app with waitress (a production WSGI server), in one process or several.

One process: ``serve`` runs waitress with a pool of threads. Several:
``listen`` opens the listening socket in the parent and ``serve_workers``
starts that many child processes (``python -m network.api.serve``), each
running waitress on the inherited socket (the kernel hands each connection to
one of them) against the same store, named by ``CSSNET_STORE``. Every cache
of the service is keyed by the store's ``revision()``, which each process
reads from the store itself, so a write made through one process is seen by
the others on their next request. The parent shares one session-signing key
with its children (``CSSNET_SECRET_KEY``, random unless set) and restarts a
child that dies; SIGINT or SIGTERM stops them all.

Each process, as it starts serving, loads the network for analysis in the
background (:func:`warm_up_in_background`), so the first coordinator to ask
for a pathway does not wait for the projection and the pathway index.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from network.api.state import store_of
from network.graph.sqlite import SQLiteStore
from network.service.audit import CLI
from network.service.tokens import create_token

from . import create_app

__all__ = ["serve", "demo_app", "demo_store", "make_server", "stop_server", "serving_in_thread", "listen",
           "serve_workers"]

#: A child that dies this soon after it started is not restarted: something is wrong with every start.
_MIN_LIFETIME_S = 5.0
#: How long stopping children may take before they are killed.
_STOP_TIMEOUT_S = 10.0


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


@contextmanager
def serving_in_thread(app: Flask, threads: int = 4, stop_timeout_s: float = 5.0) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port, in a thread, while the block runs; yields its base URL.

    For tests and benchmarks. ``RuntimeError`` when the server has not
    stopped ``stop_timeout_s`` seconds after the block ended.
    """
    server = make_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name="cssnet-waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop_server(server)
        thread.join(timeout=stop_timeout_s)
    if thread.is_alive():
        raise RuntimeError(f"the server did not stop within {stop_timeout_s:g} s")


def warm_up_in_background(app: Flask) -> threading.Thread:
    """Load ``app``'s network for analysis (``network.service.analyses.warm_up``) in a daemon thread.

    Says on stderr how long it took, or why it could not (the server keeps
    serving either way: the first query that needs the network loads it).
    """
    from network.service.analyses import warm_up

    def work() -> None:
        began = time.perf_counter()
        try:
            warm_up(store_of(app))
        except Exception as err:  # noqa: BLE001 (any failure is reported; requests will meet it too)
            print(f"cssnet: could not load the network for analysis in advance ({err})", file=sys.stderr,
                  flush=True)
            return
        print(f"cssnet: network loaded for analysis in {time.perf_counter() - began:.1f} s", file=sys.stderr,
              flush=True)

    thread = threading.Thread(target=work, name="cssnet-warm-up", daemon=True)
    thread.start()
    return thread


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          sock: socket.socket | None = None) -> None:
    """Serve ``app`` on ``host:port`` (or on ``sock``, from ``listen``) with waitress until interrupted or terminated.

    SIGTERM stops the server as Ctrl-C does, so the caller's clean-up runs.
    """
    from waitress import serve as waitress_serve

    where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    warming = warm_up_in_background(app)
    try:
        waitress_serve(app, threads=threads, ident="cssnet", **where)
    finally:
        signal.signal(signal.SIGTERM, previous)
        _let_finish(warming)


def listen(host: str = "127.0.0.1", port: int = 8000) -> socket.socket:
    """A TCP socket listening on ``host:port`` for worker processes to share; ``port=0`` picks a free port."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(1024)
    return sock


def serve_workers(sock: socket.socket, workers: int, *, threads: int = 8, store: str | None = None) -> int:
    """Serve on ``sock`` from ``workers`` child processes of ``threads`` threads each until SIGINT or SIGTERM.

    ``store`` is the location every child opens (default: ``CSSNET_STORE``,
    else ``./cssnet.db``). A child that dies is started again, unless it
    lived less than a few seconds (then every child is stopped). Returns the
    exit status: 0 when stopped by a signal, 1 when a child could not keep running.
    """
    env = dict(os.environ)
    if not env.get("CSSNET_SECRET_KEY"):
        env["CSSNET_SECRET_KEY"] = secrets.token_urlsafe(32)
    if store:
        env["CSSNET_STORE"] = store
    command = [sys.executable, "-m", "network.api.serve", "--fd", str(sock.fileno()), "--threads", str(threads)]

    def start() -> tuple[subprocess.Popen[bytes], float]:
        return subprocess.Popen(command, env=env, pass_fds=[sock.fileno()]), time.monotonic()

    stopping: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: stopping.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    children = [start() for _ in range(workers)]
    status = 0
    try:
        while not stopping:
            for i, (child, started) in enumerate(children):
                if child.poll() is None or stopping:
                    continue
                if time.monotonic() - started < _MIN_LIFETIME_S:
                    print(f"cssnet: worker {child.pid} stopped at start (exit {child.returncode}); stopping",
                          file=sys.stderr, flush=True)
                    stopping.append(0)
                    status = 1
                    break
                children[i] = start()
            time.sleep(0.2)
    finally:
        _stop([child for child, _ in children])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + _STOP_TIMEOUT_S
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _worker(argv: list[str] | None = None) -> None:
    """One worker process: waitress on the inherited listening socket until SIGTERM or SIGINT."""
    from waitress.server import create_server

    parser = argparse.ArgumentParser(prog="python -m network.api.serve", description=_worker.__doc__)
    parser.add_argument("--fd", type=int, required=True, help="the listening socket's file descriptor")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    app = create_app()
    server = create_server(app, sockets=[socket.socket(fileno=args.fd)], threads=args.threads,
                           ident="cssnet")
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_server(server))
    warming = warm_up_in_background(app)
    server.run()
    _let_finish(warming)


def _let_finish(warming: threading.Thread) -> None:
    """Wait for the network to finish loading before the process ends: a thread still inside numpy's or igraph's
    C code while the interpreter shuts down can crash the process (a stop during the warm-up ended once with
    SIGSEGV)."""
    if warming.is_alive():
        print("cssnet: stopping once the network has finished loading", file=sys.stderr, flush=True)
        warming.join()


def demo_store(tmpdir: str | Path) -> tuple[Path, str]:
    """A fresh demo store file in ``tmpdir`` (closed) and the secret of an admin token for it."""
    from network.service import seed_demo

    path = Path(tmpdir) / "cssnet-demo.db"
    store = SQLiteStore(path)
    try:
        seed_demo(store, actor=CLI)
        _, secret = create_token(store, "demo admin", "admin", actor=CLI)
    finally:
        store.close()
    return path, secret


def demo_app(tmpdir: str | Path) -> tuple[Flask, str]:
    """An app on a fresh demo store in ``tmpdir`` and the secret of an admin token for it."""
    path, secret = demo_store(tmpdir)
    return create_app({"STORE": str(path)}), secret


if __name__ == "__main__":
    _worker()
