"""deploy/: the systemd units, the cron line and logrotate run the real `newsvault crawl` command."""

from __future__ import annotations

import fnmatch
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED = "/srv/newsvault/.venv/bin/newsvault"


def _exec_start(unit: Path) -> list[str]:
    [line] = [ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart=")]
    return shlex.split(line[len("ExecStart=") :])


@pytest.mark.parametrize("name", ["newsvault.service", "newsvault@.service"])
def test_units_run_newsvault_crawl_with_a_config(name: str) -> None:
    argv = _exec_start(DEPLOY / "systemd" / name)
    assert argv[0] == INSTALLED
    args = build_parser().parse_args(argv[1:])  # SystemExit if the options are wrong
    assert args.command == "crawl" and args.config.startswith("/etc/newsvault/")
    text = (DEPLOY / "systemd" / name).read_text()
    assert "UMask=0022" in text and "Type=oneshot" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    newsvault = str(Path(sys.executable).parent / "newsvault")
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace(INSTALLED, newsvault)
        # a template is verified as one of its instances
        (tmp_path / unit.name.replace("@.", "@site.")).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Unknown" not in proc.stderr, proc.stderr


def test_cron_line_runs_newsvault_crawl_into_the_rotated_log() -> None:
    [line] = [
        ln
        for ln in (DEPLOY / "cron" / "newsvault").read_text().splitlines()
        if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]
    ]
    fields = line.split(None, 6)
    assert len(fields) == 7 and fields[5] == "newsvault"  # /etc/cron.d: 5 times, a user
    command = fields[6]
    m = re.search(rf"{re.escape(INSTALLED)} (.*?) >> (\S+) 2>&1$", command)
    assert m, command
    args = build_parser().parse_args(shlex.split(m.group(1)))
    assert args.command == "crawl"
    rotated = (DEPLOY / "logrotate" / "newsvault").read_text().split("{", 1)[0].split()[-1]
    assert fnmatch.fnmatch(m.group(2), rotated), (m.group(2), rotated)


def test_readme_scheduling_section_uses_the_deploy_files() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Scheduled crawls", 1)[1].split("\n## ", 1)[0]
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in section, path
