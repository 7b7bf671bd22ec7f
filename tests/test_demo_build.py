"""The committed demo files are what seed/build_demo.py writes from the roster: rebuilding changes no byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seed" / "demo"


def test_rebuilding_the_demo_gives_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    """Every CSV in seed/demo/ comes out of the builder identical, and the builder writes no other CSV."""
    subprocess.run([sys.executable, str(ROOT / "seed" / "build_demo.py"), str(tmp_path)], check=True,
                   capture_output=True, cwd=ROOT, timeout=120)
    committed = sorted(p.name for p in DEMO.glob("*.csv"))
    assert committed and sorted(p.name for p in tmp_path.glob("*.csv")) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), f"seed/demo/{name} differs"

