"""``cssnet serve --demo`` as a new user meets it (issue 17 item 16): a busy port, stopping, the favicon, the network
loaded for analysis as the server starts (issue 15).

The real command runs in its own process on 127.0.0.1 with ``TMPDIR`` in the
test's folder, so the demo's temporary store can be looked for afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.http_support import line_of, serving, stop

START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30
COMMAND = [sys.executable, "-c", "from network.cli import main; main()", "serve", "--demo", "--host", "127.0.0.1"]


def _run(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    return subprocess.Popen([*COMMAND, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_a_busy_port_is_a_plain_error_without_a_token(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = _run(tmp_path, "--port", str(busy.getsockname()[1]))
        out, err = process.communicate(timeout=START_TIMEOUT_S)
    assert process.returncode == 1, (out, err)
    assert "error: cannot listen on 127.0.0.1:" in err and "choose another --port" in err
    assert "Traceback" not in out + err and "token" not in out + err and "serving" not in out
    assert list(tmp_path.iterdir()) == []


def test_the_demo_store_is_removed_when_the_server_stops(tmp_path: Path) -> None:
    process = _run(tmp_path, "--port", "0")
    try:
        base, lines = serving(process, START_TIMEOUT_S)
        assert [p.name[:12] for p in tmp_path.iterdir()] == ["cssnet-demo-"]
        assert "(removed when the server stops)" in "".join(lines)
        icon = requests.get(f"{base}/favicon.ico", timeout=30)
        assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
        assert icon.content.startswith(b"<svg") and b"http" not in icon.content.replace(b"http://www.w3.org", b"")
    finally:
        stop(process, STOP_TIMEOUT_S)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert list(tmp_path.iterdir()) == []


def test_the_network_is_loaded_for_analysis_as_the_server_starts(tmp_path: Path) -> None:
    """The server says when the network is loaded for analysis; pathway queries then answer from it."""
    process = subprocess.Popen([*COMMAND, "--port", "0"], env={**os.environ, "TMPDIR": str(tmp_path)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        base, _ = serving(process, START_TIMEOUT_S)
        line, before = line_of(process, lambda text: "network loaded for analysis" in text, START_TIMEOUT_S)
        assert line is not None, before
        assert line.startswith("cssnet: network loaded for analysis in ") and line.rstrip().endswith(" s")
        found = requests.get(f"{base}/api/v1/analysis/pathways", timeout=60, params={
            "population": "artisanal_miners", "start": "sekhukhune-chrome-diggers-health-project",
            "needs": ["tb_screening", "tb_treatment", "social_grant_linkage"]})
        assert found.status_code == 200, found.text
        assert found.json()["items"][0]["steps"][-1]["organisation"] == "sekhukhune-district-social-grants-office"
    finally:
        stop(process, STOP_TIMEOUT_S)
    assert process.returncode == 0


def test_make_demo_takes_a_port() -> None:
    root = Path(__file__).resolve().parent.parent
    planned = subprocess.run(["make", "-n", "-C", str(root), "demo", "PORT=8123"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert "cssnet serve --demo --port 8123" in planned
