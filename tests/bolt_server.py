"""Run a real ArcadeDB server with its Bolt plugin for tests.

ArcadeDB (``arcadedb-embedded``) runs inside a JVM started through JPype. That
JVM must NOT share a process with the ``neo4j`` Python driver (it crashes), so
the server always runs in a child process started by :func:`start_bolt_server`:

    server = start_bolt_server(tmp_path)
    try:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)
        with driver.session(database=server.database) as session:
            ...
    finally:
        server.stop()

The child is ``tests/bolt_child.py`` run as a script (``python tests/bolt_child.py
--root DIR --port P --http-port P2 --database NAME --password PW``). It
starts the server with the Bolt plugin, listening on 127.0.0.1 only, creates
the database, prints a ready line (``ARCADEDB_BOLT_READY {json}``) on stdout
and blocks until SIGTERM/SIGINT, or until its stdin reaches EOF (when started
with ``--exit-on-stdin-eof``, which :func:`start_bolt_server` always passes),
so that a parent that dies without cleaning up does not leave it running.

Nothing here imports pytest, and neither ``neo4j`` nor ``arcadedb_embedded``
is imported at module level: the parent only needs ``neo4j`` (imported lazily
by :func:`start_bolt_server`), the child only ``arcadedb_embedded``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time

from tests.bolt_child import (
    DEFAULT_DATABASE,
    DEFAULT_HEAP,
    DEFAULT_USER,
    EXIT_PORT_IN_USE,
    HOST,
    READY_PREFIX,
)

STDOUT_LOG = "bolt_server.stdout.log"
STDERR_LOG = "bolt_server.stderr.log"
PASSWORD_FILE = "bolt_server.password"


class BoltServerError(RuntimeError):
    """The Bolt server child process failed to start (or to become reachable)."""

    def __init__(self, message: str, *, port_in_use: bool = False):
        super().__init__(message)
        self.port_in_use = port_in_use


# --------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------


def free_port(host: str = HOST) -> int:
    """A TCP port that was free on ``host`` a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _free_ports(count: int, host: str = HOST) -> list[int]:
    """``count`` distinct free ports (sockets held open together, so distinct)."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(sock)
            sock.bind((host, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def _tail(path: pathlib.Path, max_chars: int = 6000) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_chars))
            data = fh.read().decode("utf-8", errors="replace")
    except OSError as exc:
        return f"<could not read {path}: {exc}>"
    return data if size <= max_chars else "..." + data


def _port_accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclasses.dataclass
class BoltServer:
    """A running ArcadeDB Bolt server child process and how to reach it."""

    uri: str
    user: str
    password: str
    database: str
    process: subprocess.Popen
    host: str = HOST
    port: int = 0
    http_port: int = 0
    root_dir: pathlib.Path | None = None
    startup_seconds: float = 0.0
    stdout_path: pathlib.Path | None = None
    stderr_path: pathlib.Path | None = None

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, max_chars: int = 6000) -> str:
        return _tail(self.stderr_path, max_chars) if self.stderr_path else ""

    def stop(self, grace: float = 30.0) -> int | None:
        """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds.

        Idempotent. Returns the child's exit status.
        """
        proc = self.process
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(timeout=30)
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        return proc.returncode

    def __enter__(self) -> BoltServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _child_command(
    root: pathlib.Path,
    port: int,
    http_port: int,
    database: str,
    password: str,
    heap_size: str,
    extra_config: dict[str, str] | None,
) -> list[str]:
    cmd = [
        sys.executable,
        "-u",
        str(pathlib.Path(__file__).resolve().with_name("bolt_child.py")),
        "--root",
        str(root),
        "--port",
        str(port),
        "--http-port",
        str(http_port),
        "--database",
        database,
        "--password",
        password,
        "--heap-size",
        heap_size,
        "--exit-on-stdin-eof",
    ]
    for key, value in (extra_config or {}).items():
        cmd += ["--config", f"{key}={value}"]
    return cmd


def _launch_and_wait(
    root: pathlib.Path,
    *,
    timeout: float,
    database: str,
    password: str,
    heap_size: str,
    extra_config: dict[str, str] | None,
    attempt: int,
) -> BoltServer:
    port, http_port = _free_ports(2)
    stdout_path = root / (STDOUT_LOG if attempt == 0 else f"{STDOUT_LOG}.{attempt}")
    stderr_path = root / (STDERR_LOG if attempt == 0 else f"{STDERR_LOG}.{attempt}")
    cmd = _child_command(root, port, http_port, database, password, heap_size, extra_config)
    env = dict(os.environ)
    # JVM crash logs next to the other logs, not in the caller's ./log.
    env.setdefault("ARCADEDB_JVM_ERROR_FILE", str(root / "log" / "hs_err_pid%p.log"))
    # Keep the child's Python from writing .pyc files into the source tree.
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    started = time.monotonic()
    deadline = started + timeout
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            cmd,
            # The ArcadeDB engine writes ./log relative to the working directory.
            cwd=str(root),
            stdin=subprocess.PIPE,  # EOF (parent gone) makes the child exit
            stdout=out,  # files, not pipes: a full pipe would block the JVM
            stderr=err,
            env=env,
            close_fds=True,
        )
    server = BoltServer(
        uri=f"bolt://{HOST}:{port}",
        user=DEFAULT_USER,
        password=password,
        database=database,
        process=proc,
        host=HOST,
        port=port,
        http_port=http_port,
        root_dir=root,
        stdout_path=stdout_path,
        stderr_path=stderr_path,
    )

    def fail(reason: str) -> BoltServerError:
        server.stop(grace=10)
        return BoltServerError(
            f"ArcadeDB Bolt server {reason} (exit status {proc.returncode}, "
            f"command: {' '.join(cmd[:3])} ..., root: {root})\n"
            f"--- child stdout (tail) ---\n{_tail(stdout_path, 2000)}\n"
            f"--- child stderr (tail) ---\n{_tail(stderr_path)}",
            port_in_use=proc.returncode == EXIT_PORT_IN_USE,
        )

    try:
        # 1. the ready line
        ready = None
        while ready is None:
            try:
                text = stdout_path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            for line in text.splitlines():
                if line.startswith(READY_PREFIX):
                    ready = json.loads(line[len(READY_PREFIX) :])
                    break
            if ready is not None:
                break
            if proc.poll() is not None:
                raise fail("exited before it was ready")
            if time.monotonic() > deadline:
                raise fail(f"printed no ready line within {timeout:.0f}s")
            time.sleep(0.1)

        # 2. the Bolt port accepts connections
        while not _port_accepts(HOST, port):
            if proc.poll() is not None:
                raise fail("exited before its Bolt port accepted connections")
            if time.monotonic() > deadline:
                raise fail(f"Bolt port {port} refused connections for {timeout:.0f}s")
            time.sleep(0.1)

        # 3. a real Bolt handshake + authentication through the official driver
        import neo4j  # lazy: the child must never import it

        last_error: Exception | None = None
        while True:
            try:
                with neo4j.GraphDatabase.driver(
                    server.uri, auth=server.auth, connection_timeout=10
                ) as driver:
                    driver.verify_connectivity()
                    driver.execute_query("RETURN 1 AS ok", database_=database)
                break
            except neo4j.exceptions.AuthError as exc:
                # Not transient: e.g. root_dir reused with another password.
                raise fail(f"rejected the credentials ({exc!r})") from exc
            except Exception as exc:  # noqa: BLE001 - retried until the deadline
                last_error = exc
            if proc.poll() is not None:
                raise fail(f"exited during driver verification ({last_error!r})")
            if time.monotonic() > deadline:
                raise fail(
                    f"did not pass neo4j verify_connectivity() within "
                    f"{timeout:.0f}s (last error: {last_error!r})"
                )
            time.sleep(0.5)
    except BaseException:
        # Never leak the child, whatever interrupted the wait (incl. ^C).
        if proc.poll() is None:
            server.stop(grace=10)
        raise

    server.startup_seconds = time.monotonic() - started
    return server


def start_bolt_server(
    root_dir: pathlib.Path,
    timeout: float = 90,
    *,
    database: str = DEFAULT_DATABASE,
    password: str | None = None,
    heap_size: str = DEFAULT_HEAP,
    extra_config: dict[str, str] | None = None,
    retries: int = 2,
) -> BoltServer:
    """Start an ArcadeDB server with Bolt on 127.0.0.1 in a child process.

    ``root_dir`` receives the server's files (``databases/``, ``config/``,
    ``log/``) and the child's ``bolt_server.stdout.log`` /
    ``bolt_server.stderr.log``. Returns once the child printed its ready line,
    the Bolt port accepts TCP connections and the neo4j driver's
    ``verify_connectivity()`` (plus a ``RETURN 1``) succeeded. Raises
    :class:`BoltServerError`, with the tail of the child's stderr, on failure
    or after ``timeout`` seconds. A start that fails because a freshly picked
    port got taken meanwhile is retried with new ports (``retries`` times).

    ``extra_config`` are raw ArcadeDB settings (``"arcadedb.x.y": "value"``).
    """
    root = pathlib.Path(root_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if password is None:
        # ArcadeDB sets the root password only when it creates the root user
        # (first start on a root_dir), so a reused root_dir keeps its password.
        password_file = root / PASSWORD_FILE
        if password_file.exists():
            password = password_file.read_text(encoding="utf-8").strip()
        else:
            password = "pw-" + secrets.token_hex(12)  # ArcadeDB wants >= 8 chars
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
    attempt = 0
    while True:
        try:
            return _launch_and_wait(
                root,
                timeout=timeout,
                database=database,
                password=password,
                heap_size=heap_size,
                extra_config=extra_config,
                attempt=attempt,
            )
        except BoltServerError as exc:
            if not exc.port_in_use or attempt >= retries:
                raise
            attempt += 1
