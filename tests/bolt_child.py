"""The child side of the test Bolt server: a real ArcadeDB server with its Bolt plugin, in its own process.

Run as a script by :func:`tests.bolt_server.start_bolt_server` (``python tests/bolt_child.py --root DIR --port P
--http-port P2 --database NAME --password PW --exit-on-stdin-eof``): it starts the server listening on 127.0.0.1
only, creates the database, prints a ready line (``ARCADEDB_BOLT_READY {json}``) on stdout and blocks until
SIGTERM/SIGINT, or until its stdin reaches EOF. ``arcadedb_embedded`` is imported only inside :func:`serve`, so
the parent can import the constants here without starting a JVM.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import sys
import threading
import time
import traceback

READY_PREFIX = "ARCADEDB_BOLT_READY "
PORT_IN_USE_MARKER = "PORT_IN_USE"
EXIT_PORT_IN_USE = 75  # EX_TEMPFAIL: the parent retries with new ports
HOST = "127.0.0.1"
DEFAULT_USER = "root"  # ArcadeDB's server administrator; Bolt authenticates against server users
DEFAULT_DATABASE = "cssnet_test"
DEFAULT_HEAP = "1g"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--port", required=True, type=int, help="Bolt port")
    parser.add_argument("--http-port", required=True, type=int)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--password", required=True, help="root password (>= 8 chars)")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--heap-size", default=DEFAULT_HEAP)
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra raw ArcadeDB setting, e.g. arcadedb.bolt.debug=true",
    )
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="shut down when stdin is closed (the parent went away)",
    )
    return parser.parse_args(argv)


def serve(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    root = args.root.resolve()
    root.mkdir(parents=True, exist_ok=True)

    stop_requested = threading.Event()

    def request_stop(signum, _frame):
        print(f"bolt_server: signal {signum}, stopping", file=sys.stderr, flush=True)
        stop_requested.set()

    # Installed before the JVM starts; re-installed after (the JVM installs its
    # own SIGTERM/SIGINT handlers when it starts, which would skip our cleanup).
    def install_handlers():
        for sig in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                signal.signal(sig, request_stop)

    install_handlers()

    if args.exit_on_stdin_eof:

        def watch_stdin():
            # os.read on the raw fd, not sys.stdin: a daemon thread blocked
            # inside the buffered reader aborts interpreter shutdown
            # ("could not acquire lock for <stdin>").
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            print("bolt_server: stdin closed, stopping", file=sys.stderr, flush=True)
            stop_requested.set()

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    t0 = time.monotonic()
    from arcadedb_embedded.jvm import start_jvm
    from arcadedb_embedded.server import ArcadeDBServer

    start_jvm(heap_size=args.heap_size)
    install_handlers()

    config: dict[str, object] = {
        "host": args.host,  # HTTP and every wire protocol listener
        "http_port": args.http_port,  # -> arcadedb.server.httpIncomingPort
        "mode": "development",
        "server_plugins": BOLT_PLUGIN,  # -> arcadedb.server.plugins
        "bolt_port": args.port,  # -> arcadedb.bolt.port
        "bolt_host": args.host,  # -> arcadedb.bolt.host
        "bolt_defaultDatabase": args.database,  # -> arcadedb.bolt.defaultDatabase
        "support_autoRegister": "false",  # never phone home
    }
    # Raw settings: ArcadeDBServer maps a key "a_b" to "arcadedb.a.b".
    for item in args.config:
        key, _, value = item.partition("=")
        key = key.strip()
        key = key[len("arcadedb.") :] if key.startswith("arcadedb.") else key
        if "_" in key:
            raise SystemExit(f"unsupported setting name: {item!r}")
        config[key.replace(".", "_")] = value.strip()
    server = ArcadeDBServer(root_path=str(root), root_password=args.password, config=config)

    if stop_requested.is_set():
        return 0
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        if "Unable to listen" in str(exc):
            # A port picked by the parent was taken in the meantime.
            print(f"bolt_server: {PORT_IN_USE_MARKER}", file=sys.stderr, flush=True)
            return EXIT_PORT_IN_USE
        return 1
    try:
        server.create_database(args.database)
        info = {
            "pid": os.getpid(),
            "host": args.host,
            "bolt_port": args.port,
            "http_port": args.http_port,
            "database": args.database,
            "startup_seconds": round(time.monotonic() - t0, 3),
        }
        print(READY_PREFIX + json.dumps(info), flush=True)
        while not stop_requested.wait(0.5):
            pass
    finally:
        print("bolt_server: stopping ArcadeDB server", file=sys.stderr, flush=True)
        server.stop()
        print("bolt_server: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    # Run as a script, this file's directory is sys.path[0]; drop it so test
    # helpers there can never shadow what the engine imports.
    if sys.path and pathlib.Path(sys.path[0] or ".").resolve() == pathlib.Path(__file__).resolve().parent:
        del sys.path[0]
    sys.exit(serve())
