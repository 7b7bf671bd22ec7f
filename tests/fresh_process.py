"""Run a test's body in a new Python process: for tests that fork, which must not inherit the threads (a
progress bar's monitor, a server's) or the child processes (the Bolt server) of the test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def in_fresh_process(target: str, *arguments: str) -> str:
    """Call ``module:function`` with ``arguments`` in a new interpreter; fail with its error output if it fails.

    Returns what it printed.
    """
    module, function = target.split(":")
    code = f"import sys; from {module} import {function}; {function}(*sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout
