"""Enabling the add-on is the whole installation: a foreign Scrapy project archives its crawl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.sample_site import SampleSite

ROOT = Path(__file__).resolve().parents[2]


def test_a_foreign_project_gets_warcs_and_a_manifest(sample_site: SampleSite, tmp_path: Path):
    project = tmp_path / "project"
    (project / "other" / "spiders").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = other.settings\n")
    (project / "other" / "__init__.py").write_text("")
    (project / "other" / "spiders" / "__init__.py").write_text("")
    archive = tmp_path / "archive"
    config = tmp_path / "nv.yaml"
    config.write_text(
        textwrap.dedent(
            f"""
            storage:
              warc: {archive}/warc
              json: {archive}/json
              state: {archive}/state
              manifests: {archive}/manifests
              spool: {tmp_path}/spool
            crawl:
              allow_private_networks: true
              download_delay: 0
            """
        )
    )
    (project / "other" / "settings.py").write_text(
        textwrap.dedent(
            f"""
            BOT_NAME = "other"
            SPIDER_MODULES = ["other.spiders"]
            ADDONS = {{"crawler.addon.NewsvaultAddon": 0}}
            NEWSVAULT_CONFIG = {str(config)!r}
            """
        )
    )
    (project / "other" / "spiders" / "one.py").write_text(
        textwrap.dedent(
            f"""
            import scrapy

            class One(scrapy.Spider):
                name = "one"
                start_urls = [{sample_site.url + "/"!r}]

                def parse(self, response):
                    yield {{"url": response.url}}
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)])}
    env.pop("NEWSVAULT_CONFIG", None)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "one"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    warcs = list((archive / "warc").rglob("*.warc.gz"))
    assert len(warcs) == 1 and (warcs[0].parent / (warcs[0].name + ".cdxj")).exists()
    cdxj = (warcs[0].parent / (warcs[0].name + ".cdxj")).read_text()
    assert f'"url": "{sample_site.url}/"' in cdxj
    [manifest] = list((archive / "manifests").glob("*.json"))
    doc = json.loads(manifest.read_text())
    assert {f["kind"] for f in doc["files"]} >= {"warc", "cdxj", "state"}
    assert doc["run_id"] == manifest.stem
