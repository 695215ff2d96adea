"""A distributed run read as one archive: two workers started from one directory with one
config (no spool, no worker id), then every researcher command on what they wrote."""

from __future__ import annotations

import collections
import gzip
import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import open_archive
from crawler.archive.replay import build_collection
from tests.integration.test_crawl import SOURCE
from tests.research_archive import run_cli, s3_storage_yaml
from tests.sample_site import SampleSite
from tests.services import SeaweedFS, Valkey

NEWSVAULT = str(Path(sys.executable).parent / "newsvault")


@dataclass(frozen=True)
class DistributedArchive:
    uri: str  # the archive root: manifests/, warc/, json/, state/
    workdir: Path  # where both workers were started, with the config and their spools
    run_id: str
    workers: tuple[str, ...]
    manifests: tuple[dict[str, Any], ...]  # one per worker, as written
    fetches: collections.Counter[str]  # requests per path the site answered
    site: SampleSite
    cli_args: tuple[str, ...] = ()  # -s options that reach the store (S3 endpoint)


def config_text(base: str, site_url: str, redis_url: str, s3: str = "") -> str:
    """Everything in the one file: no storage.spool, no worker id, slow enough that both
    workers take part (an idle worker looks for work every 5 s)."""
    return f"""
storage:
  warc: {base}/warc
  json: {base}/json
  state: {base}/state
  manifests: {base}/manifests{s3}
crawl:
  download_delay: 0.3
  concurrency: 3
  autothrottle: false
  concurrency_per_domain: 8
  allow_private_networks: true
  redis_url: {redis_url}
sources:
  - name: {SOURCE}
    start_urls: ["{site_url}/"]
"""


def crawl_with_two_workers(
    workdir: Path, site: SampleSite, base: str, redis_url: str, server: SeaweedFS | None = None
) -> DistributedArchive:
    """`newsvault crawl --config distributed.yaml`, twice at once, from one directory."""
    workdir.mkdir(parents=True, exist_ok=True)
    s3 = s3_storage_yaml(server)
    config = workdir / "distributed.yaml"
    config.write_text(config_text(base, site.url, redis_url, s3))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NEWSVAULT_"))}
    if server is not None:
        env.update(server.env())
    logs = [open(workdir / f"worker{n}.log", "w") for n in (1, 2)]  # noqa: SIM115
    command = [NEWSVAULT, "crawl", "--config", str(config)]
    procs = [
        subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        for proc in procs:
            proc.wait(240)
    finally:
        for proc, log in zip(procs, logs, strict=True):
            if proc.poll() is None:
                proc.kill()
            log.close()
    for n, proc in enumerate(procs, 1):
        assert proc.returncode == 0, (workdir / f"worker{n}.log").read_text()[-3000:]
    fetches = collections.Counter(
        path for _method, path, _headers in site.requests if path != "/robots.txt"
    )
    cli_args: tuple[str, ...] = ()
    if server is not None:
        cli_args = tuple(
            arg for name, value in server.settings().items() for arg in ("-s", f"{name}={value}")
        )
    with pytest.MonkeyPatch.context() as mp:
        for key, value in server.env().items() if server is not None else ():
            mp.setenv(key, value)
        archive = open_archive(base, dict(server.settings()) if server is not None else None)
        (run,) = archive.runs
    return DistributedArchive(
        uri=base,
        workdir=workdir,
        run_id=run.run_id,
        workers=run.workers,
        manifests=tuple(dict(m.doc) for m in run.manifests),
        fetches=fetches,
        site=site,
        cli_args=cli_args,
    )


@pytest.fixture(scope="module")
def distributed(
    valkey: Valkey, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DistributedArchive]:
    """One distributed run of two workers on the sample site, into a directory."""
    work = tmp_path_factory.mktemp("distributed-archive")
    with SampleSite() as site:
        # A Redis database of its own: no other test's run is current there.
        yield crawl_with_two_workers(
            work, site, str(work / "archive"), valkey.url.rsplit("/", 1)[0] + "/5"
        )


@pytest.fixture(scope="module")
def distributed_s3(
    valkey: Valkey, seaweedfs: SeaweedFS, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DistributedArchive]:
    """The same, into SeaweedFS."""
    work = tmp_path_factory.mktemp("distributed-archive-s3")
    base = f"s3://{seaweedfs.bucket}/distributed-{uuid.uuid4().hex[:8]}"
    with SampleSite() as site:
        yield crawl_with_two_workers(
            work, site, base, valkey.url.rsplit("/", 1)[0] + "/6", seaweedfs
        )


def nv(
    archive: DistributedArchive, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """`newsvault ARGS` in this process, with the archive's store options."""
    return run_cli(archive.cli_args, capsys, *args)


def total(archive: DistributedArchive, counter: str) -> int:
    return sum(int(m["sources"][SOURCE].get(counter, 0)) for m in archive.manifests)


def article_lines(root: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(root.glob("json/**/*.jsonl.gz"))
        for line in gzip.decompress(path.read_bytes()).decode().splitlines()
        if line.strip()
    ]


# --------------------------------------------------------------------------- the crawl


def test_two_workers_from_one_directory_and_config_share_one_run(distributed):
    """No spool and no worker id set: each worker took its own spool and id, both crawled
    at the same time (neither held the other off with the archive's crawl lock), and every
    URL was fetched once."""
    assert len(distributed.workers) == 2, distributed.workers
    assert {p: n for p, n in distributed.fetches.items() if n != 1} == {}
    expected = {a["canonical_path"] for a in distributed.site.expected()["articles"]}
    assert expected <= set(distributed.fetches)
    spools = sorted(p.name for p in (distributed.workdir / ".newsvault").iterdir())
    assert len(spools) == 2 and [s.rsplit("~", 1)[1] for s in spools] == sorted(distributed.workers)
    assert len({s.rsplit("~", 1)[0] for s in spools}) == 1  # one archive's spools
    for manifest in distributed.manifests:
        assert manifest["stats"]["newsvault/outcome"] == "ok"
        assert manifest["sources"][SOURCE]["fetched"] > 0  # each worker took part
    first, second = sorted(distributed.manifests, key=lambda m: m["started"])
    assert second["started"] < first["finished"]  # side by side, not one after the other


# --------------------------------------------------------------------------- ls and verify


@pytest.fixture(params=["disk", "s3"])
def archive(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> DistributedArchive:
    name = "distributed" if request.param == "disk" else "distributed_s3"
    crawled: DistributedArchive = request.getfixturevalue(name)
    if request.param == "s3":
        server: SeaweedFS = request.getfixturevalue("seaweedfs")
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
    return crawled


def test_ls_shows_a_distributed_run_as_one_run(archive, capsys):
    code, out, err = nv(archive, capsys, "ls", archive.uri, "--json", "--files")
    assert code == 0, err
    doc = json.loads(out)
    (run,) = doc["runs"]
    assert run["run_id"] == archive.run_id
    assert sorted(w["worker_id"] for w in run["workers"]) == sorted(archive.workers)
    assert run["files"] == sum(len(m["files"]) for m in archive.manifests)
    assert run["bytes"] == sum(f["size"] for m in archive.manifests for f in m["files"])
    assert run["articles"] == total(archive, "articles") > 0
    assert run["fetched"] == total(archive, "fetched")
    assert run["started"] == min(m["started"] for m in archive.manifests)
    assert run["finished"] == max(m["finished"] for m in archive.manifests)
    assert (run["finish_reason"], run["outcome"]) == ("finished", "ok")
    listed = {
        (m["worker_id"], f["store"] + "/" + f["key"]) for m in archive.manifests for f in m["files"]
    }
    assert {(f["worker_id"], f["path"]) for f in run["file_list"]} == listed
    for worker in run["workers"]:
        (own,) = [m for m in archive.manifests if m["worker_id"] == worker["worker_id"]]
        assert worker["files"] == len(own["files"])
        assert worker["articles"] == own["sources"][SOURCE].get("articles", 0)
    assert doc["totals"]["runs"] == 1

    code, out, _ = nv(archive, capsys, "ls", archive.uri, "--by-worker")
    assert code == 0
    assert out.count("\nrun ") == 1 and "  2 workers  " in out and "total: 1 run(s)" in out
    for worker in archive.workers:
        assert f"\n  worker {worker}  started " in out


def test_verify_checks_every_worker_of_the_run(archive, capsys):
    manifests = archive.uri + "/manifests"
    files = sum(len(m["files"]) for m in archive.manifests)
    code, out, err = nv(archive, capsys, "verify", manifests, "--run", archive.run_id)
    assert code == 0, out + err
    assert f"checked 2 manifest(s) of 1 run(s), {files} file(s): 0 problem(s)" in out
    code, _, err = nv(archive, capsys, "verify", manifests, "--run", "20260101T000000Z-000000")
    assert code == 1 and "no manifest of run 20260101T000000Z-000000" in err


# --------------------------------------------------------------------------- the other readers


def test_get_by_run_id_downloads_every_workers_files(distributed, capsys, tmp_path):
    dest = tmp_path / "copy"
    code, _, err = nv(
        distributed, capsys, "get", distributed.uri, str(dest), "--run", distributed.run_id
    )
    assert code == 0, err
    wanted = {
        f["store"] + "/" + f["key"]
        for m in distributed.manifests
        for f in m["files"]
        if f["kind"] in ("warc", "cdxj", "jsonl", "index")
    }
    got = {str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()}
    assert wanted <= got
    assert sorted(p.name for p in (dest / "manifests").iterdir()) == sorted(
        f"{distributed.run_id}~{w}.json" for w in distributed.workers
    )
    (run,) = open_archive(str(dest)).runs  # the copy is one run again
    assert run.workers == distributed.workers
    code, _, err = nv(distributed, capsys, "get", distributed.uri, str(dest), "--run", "nope")
    assert code == 2 and "no run nope in" in err


def test_index_query_export_and_report_cover_both_workers(distributed, capsys, tmp_path):
    articles = article_lines(Path(distributed.uri))
    assert {a["provenance"]["run_id"] for a in articles} == {distributed.run_id}
    hosts = {a["provenance"]["warc_file"].rsplit("~", 1)[0].rsplit("-", 1)[-1] for a in articles}
    assert len(hosts) == 2  # both workers' WARCs hold articles

    # The crawl wrote one capture index per worker; rebuilt from the CDXJ, the same rows.
    captures = sum(
        f["records"] for m in distributed.manifests for f in m["files"] if f["kind"] == "cdxj"
    )
    assert captures > 0
    sql = "SELECT count(*) AS n FROM captures"
    code, out, err = nv(distributed, capsys, "query", distributed.uri, sql, "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1] == str(captures)
    work = tmp_path / "copy"
    code, _, err = nv(distributed, capsys, "get", distributed.uri, str(work))
    assert code == 0, err
    code, out, err = nv(distributed, capsys, "index", str(work), "--force")
    assert code == 0, err
    assert out.count(f"{distributed.run_id}: ") == 1 and "1 run(s) indexed" in out
    indexes = sorted(p.name for p in (work / "warc" / "index").iterdir())
    assert indexes == sorted(f"{distributed.run_id}~{w}.parquet" for w in distributed.workers)
    code, out, err = nv(distributed, capsys, "query", str(work), sql, "--format", "csv")
    assert code == 0 and out.splitlines()[1] == str(captures)
    stores = [f"--store={name}={work / name}" for name in ("warc", "json")]
    code, out, err = nv(distributed, capsys, "verify", str(work / "manifests"), *stores)
    assert code == 0, out + err  # each worker's manifest lists its new index

    out_file = tmp_path / "articles.jsonl"
    code, _, err = nv(
        distributed, capsys, "export", distributed.uri, "--out", str(out_file), "--format", "jsonl",
        "--run", distributed.run_id,
    )  # fmt: skip
    assert code == 0, err
    exported = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert sorted(a["url"] for a in exported) == sorted(a["url"] for a in articles)

    report = tmp_path / "report.html"
    code, _, err = nv(distributed, capsys, "report", distributed.uri, "--out", str(report))
    assert code == 0, err
    html = report.read_text()
    figures = json.loads(unescape(html.split('id="figures">', 1)[1].split("</script>", 1)[0]))
    assert figures["runs"] == 1
    assert figures["sources"][SOURCE]["articles"] == len(articles)


def test_wacz_replay_and_reextract_take_both_workers_warcs(distributed, capsys, tmp_path):
    warcs = sorted(
        f["key"] for m in distributed.manifests for f in m["files"] if f["kind"] == "warc"
    )
    package = tmp_path / "run.wacz"
    code, _, err = nv(distributed, capsys, "wacz", distributed.uri, "--out", str(package))
    assert code == 0, err
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert sorted(n.rsplit("/", 1)[-1] for n in names if n.startswith("archive/")) == sorted(
        k.rsplit("/", 1)[-1] for k in warcs
    )

    archive = open_archive(distributed.uri)
    build_collection(archive, archive.select(run_ids=[distributed.run_id]), tmp_path / "pywb")
    archived = sorted(p.name for p in (tmp_path / "pywb").rglob("*.warc.gz"))
    assert archived == sorted(k.rsplit("/", 1)[-1] for k in warcs)

    dest = tmp_path / "again"
    code, out, err = nv(
        distributed, capsys, "reextract", distributed.uri, "--out", str(dest), "--run",
        distributed.run_id, "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    articles = article_lines(Path(distributed.uri))
    assert f"{len(articles)} article(s) re-extracted" in out
    rebuilt = article_lines(dest)
    assert sorted(a["provenance"]["record_id"] for a in rebuilt) == sorted(
        a["provenance"]["record_id"] for a in articles
    )
