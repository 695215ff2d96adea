"""End to end: `newsvault crawl` of the sample site into a real SeaweedFS, then `newsvault verify`."""

from __future__ import annotations

import gzip
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipelines.storage import S3Store, store_from_uri
from tests.sample_site import SampleSite
from tests.services import SeaweedFS

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
NEWSVAULT = str(Path(sys.executable).parent / "newsvault")


def crawl_config(site: SampleSite, server: SeaweedFS, base: str, spool: Path, delay: float) -> str:
    return f"""\
storage:
  warc: {base}/warc
  json: {base}/json
  state: {base}/state
  manifests: {base}/manifests
  spool: {spool}
  s3:
    endpoint_url: {server.endpoint_url}
    region: us-east-1
    addressing_style: path
crawl:
  user_agent: "newsvault-test/0.1 (+https://example.org/newsvault-test)"
  download_delay: {delay}
  autothrottle: false
  concurrency_per_domain: 2
  allow_private_networks: true
sources:
  - name: sample-news
    start_urls: ["{site.url}/"]
extraction:
  workers: 2
warc:
  prefix: s3test
  max_file_mb: 0.03      # rotate often: many files, uploaded while the crawl goes on
json:
  max_records: 4
"""


def subprocess_env(server: SeaweedFS) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("NEWSVAULT_CONFIG", None)
    env.update(server.env())
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def s3_run(
    tmp_path: Path, seaweedfs: SeaweedFS, sample_site: SampleSite, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    prefix = f"crawl-{uuid.uuid4().hex[:10]}"
    return {
        "prefix": prefix,
        "base": f"s3://{seaweedfs.bucket}/{prefix}",
        "spool": tmp_path / "spool",
        "config": tmp_path / "archive_config.yaml",
        "env": subprocess_env(seaweedfs),
        "server": seaweedfs,
        "site": sample_site,
    }


def crawl_command(run: dict[str, Any], *extra: str) -> list[str]:
    fast_retries = ["-s", "ARCHIVE_UPLOAD_RETRY_BASE=0.3", "-s", "ARCHIVE_UPLOAD_RETRY_MAX=2"]
    return [NEWSVAULT, "crawl", "--config", str(run["config"]), *fast_retries, *extra]


def store(run: dict[str, Any], name: str = "") -> S3Store:
    server: SeaweedFS = run["server"]
    uri = f"{run['base']}/{name}" if name else run["base"]
    s = store_from_uri(uri, server.settings())
    assert isinstance(s, S3Store)
    return s


def the_manifest(run: dict[str, Any]) -> dict[str, Any]:
    manifests = store(run, "manifests")
    keys = list(manifests.list())
    assert len(keys) == 1, keys
    doc: dict[str, Any] = json.loads(manifests.get_bytes(keys[0]))
    assert keys[0] == f"{doc['run_id']}.json"
    return doc


def assert_every_file_stored_once(run: dict[str, Any], doc: dict[str, Any]) -> None:
    """The bucket holds exactly the manifest's files (plus the manifest), each intact."""
    listed = {f"{f['store']}/{f['key']}" for f in doc["files"]}
    assert len(listed) == len(doc["files"])
    in_bucket = set(store(run).list())
    assert in_bucket == listed | {f"manifests/{doc['run_id']}.json"}
    for entry in doc["files"]:
        assert entry["status"] == "uploaded", entry
        s = store(run, entry["store"])
        assert s.size(entry["key"]) == entry["size"]
        assert s.sha256(entry["key"]) == entry["sha256"]  # content read back and hashed
    stats = doc["stats"]
    assert stats["newsvault/upload/files"] + stats.get("newsvault/upload/already_stored", 0) == len(
        doc["files"]
    )
    assert (
        sum(f["records"] for f in doc["files"] if f["kind"] == "warc")
        == stats["newsvault/warc/records"]
    )
    assert not [p for p in run["spool"].joinpath("ready").rglob("*") if p.is_file()]


def verify(run: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSVAULT, "verify", f"{run['base']}/manifests", "--deep", "--config", str(run["config"])],
        capture_output=True,
        text=True,
        env=run["env"],
        cwd=REPO,
        timeout=120,
    )


def test_full_crawl_to_s3_then_verify(s3_run: dict[str, Any]) -> None:
    run = s3_run
    server: SeaweedFS = run["server"]
    run["config"].write_text(crawl_config(run["site"], server, run["base"], run["spool"], 0))
    proc = subprocess.run(
        crawl_command(run, "--log-level", "DEBUG"),
        capture_output=True,
        text=True,
        env=run["env"],
        cwd=REPO,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    log = proc.stdout + proc.stderr
    assert server.secret_key not in log
    assert server.access_key not in log

    doc = the_manifest(run)
    assert doc["finish_reason"] == "finished"
    assert doc["stores"]["warc"] == f"{run['base']}/warc"
    assert "sample-news" in doc["sources"]
    kinds = {f["kind"] for f in doc["files"]}
    assert {"warc", "cdxj", "jsonl", "state"} <= kinds
    assert sum(1 for f in doc["files"] if f["kind"] == "warc") > 1  # rotated during the crawl
    assert_every_file_stored_once(run, doc)

    # A researcher fetches one article's WARC record by byte range, straight from S3.
    shard = next(f for f in doc["files"] if f["kind"] == "jsonl")
    article = json.loads(
        gzip.decompress(store(run, "json").get_bytes(shard["key"])).splitlines()[0]
    )
    prov = article["provenance"]
    warc_key = next(
        f["key"] for f in doc["files"] if f["key"].rsplit("/", 1)[-1] == prov["warc_file"]
    )
    member = store(run, "warc").read_range(warc_key, prov["offset"], prov["length"])
    record = gzip.decompress(member)
    assert record.startswith(b"WARC/1.")
    assert prov["record_id"].encode() in record

    checked = verify(run)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{len(doc['files'])} file(s): 0 problem(s)" in checked.stdout


def test_s3_server_killed_mid_crawl_every_file_uploaded_once(s3_run: dict[str, Any]) -> None:
    run = s3_run
    server: SeaweedFS = run["server"]
    run["config"].write_text(crawl_config(run["site"], server, run["base"], run["spool"], 0.15))
    log_path = run["spool"].parent / "crawl.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            crawl_command(run, "--log-level", "INFO"),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=run["env"],
            cwd=REPO,
        )
    try:
        warc = store(run, "warc")
        deadline = time.monotonic() + 120
        while not list(warc.list()):
            assert proc.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() < deadline, "no WARC uploaded in time"
            time.sleep(0.1)
        assert proc.poll() is None, "crawl ended before the server could be killed"
        server.kill()
        time.sleep(4)  # the crawl goes on; finished files pile up in the spool
        in_spool = [p for p in run["spool"].joinpath("ready").rglob("*") if p.is_file()]
        server.restart()
        rc = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if server.proc is None:
            server.start()
    output = log_path.read_text()
    assert rc == 0, output[-4000:]
    assert in_spool, "nothing waited in the spool while the server was down"
    doc = the_manifest(run)
    assert doc["stats"]["newsvault/upload/retries"] > 0
    assert_every_file_stored_once(run, doc)
    checked = verify(run)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_wrong_credentials_stop_newsvault_crawl_before_any_fetch(s3_run: dict[str, Any]) -> None:
    run = s3_run
    server: SeaweedFS = run["server"]
    site: SampleSite = run["site"]
    run["config"].write_text(crawl_config(site, server, run["base"], run["spool"], 0))
    env = {**run["env"], "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    before = len(site.requests)
    proc = subprocess.run(
        crawl_command(run), capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )
    assert proc.returncode == 1  # a failed crawl (exit codes: README)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert run["base"] in lines[0] and "rejected the credentials" in lines[0]
    assert "not-the-secret" not in proc.stderr + proc.stdout
    assert len(site.requests) == before  # not even robots.txt


def test_missing_bucket_needs_create_bucket(s3_run: dict[str, Any]) -> None:
    run = s3_run
    server: SeaweedFS = run["server"]
    site: SampleSite = run["site"]
    bucket = f"nv-crawl-{uuid.uuid4().hex[:8]}"
    run["base"] = f"s3://{bucket}/{run['prefix']}"
    run["config"].write_text(crawl_config(site, server, run["base"], run["spool"], 0))
    before = len(site.requests)
    proc = subprocess.run(
        crawl_command(run), capture_output=True, text=True, env=run["env"], cwd=REPO, timeout=120
    )
    assert proc.returncode == 1  # a failed crawl (exit codes: README)
    assert f"bucket '{bucket}' does not exist" in proc.stderr
    assert "--create-bucket" in proc.stderr
    assert len(site.requests) == before
    proc = subprocess.run(
        crawl_command(run, "--create-bucket", "-s", "CLOSESPIDER_PAGECOUNT=3"),
        capture_output=True,
        text=True,
        env=run["env"],
        cwd=REPO,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = the_manifest(run)
    assert_every_file_stored_once(run, doc)
