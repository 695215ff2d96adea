"""An archive for the researcher tools' tests: the sample site crawled twice (so it holds
revisits), on disk or in SeaweedFS."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sample_site import SampleSite
from tests.services import SeaweedFS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "meridian"


@dataclass(frozen=True)
class CrawledArchive:
    uri: str  # the archive root: manifests/, warc/, json/, state/ below it
    site_url: str
    workdir: Path
    cli_args: tuple[str, ...] = ()  # -s options that reach the store (S3 endpoint)
    env: tuple[tuple[str, str], ...] = ()  # credentials for the store


def s3_storage_yaml(server: SeaweedFS | None) -> str:
    """The `storage.s3` lines that point a config at ``server`` (nothing without one)."""
    if server is None:
        return ""
    return f"""
  s3:
    endpoint_url: {server.endpoint_url}
    region: us-east-1
    addressing_style: path"""


def run_cli(
    cli_args: tuple[str, ...], capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """`newsvault ARGS` in this process, with an archive's store options (``cli_args``)."""
    from crawler.cli import main

    capsys.readouterr()
    try:
        code = main([*args, *cli_args])
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
    out, err = capsys.readouterr()
    return code, out, err


def _config(base: str, spool: Path, site: SampleSite, server: SeaweedFS | None) -> str:
    s3 = s3_storage_yaml(server)
    return f"""
storage:
  warc: {base}/warc
  json: {base}/json
  state: {base}/state
  manifests: {base}/manifests
  spool: {spool}{s3}
crawl:
  download_delay: 0
  autothrottle: false
  concurrency_per_domain: 8
  allow_private_networks: true
sources:
  - name: {SOURCE}
    start_urls: ["{site.url}/"]
"""


def crawl_twice(
    workdir: Path, site: SampleSite, base: str, server: SeaweedFS | None = None
) -> CrawledArchive:
    """Run `scrapy crawl news` twice on the same config into ``base``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "archive_config.yaml"
    config.write_text(_config(base, workdir / "spool", site, server))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["NEWSVAULT_CONFIG"] = str(config)
    if server is not None:
        env.update(server.env())
    for name in ("first", "second"):
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        (workdir / f"{name}.log").write_text(proc.stderr)
        assert proc.returncode == 0, proc.stderr[-3000:]
    if server is None:
        return CrawledArchive(base, site.url, workdir)
    return CrawledArchive(
        base,
        site.url,
        workdir,
        cli_args=(
            "-s",
            f"AWS_ENDPOINT_URL={server.endpoint_url}",
            "-s",
            "ARCHIVE_S3_ADDRESSING_STYLE=path",
            "-s",
            "AWS_REGION_NAME=us-east-1",
        ),
        env=tuple(server.env().items()),
    )
