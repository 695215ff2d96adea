"""`newsvault upload`: ship what waits in the spool (left by an interrupted run or a dead store)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from crawler.cli.common import archive_settings, config_options, error

logger = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "upload",
        parents=[config_options()],
        help="upload files left in the spool by an interrupted run or an unreachable store",
    )
    p.add_argument(
        "--create-bucket", action="store_true", help="create a missing S3 bucket instead of failing"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up retrying after this long (default: ARCHIVE_UPLOAD_CLOSE_TIMEOUT, 120)",
    )
    p.set_defaults(func=cmd_upload)


def spools(settings: Any) -> list[str]:
    """The config's spool and, for a distributed crawl, each worker's on this machine
    (``SPOOL~WORKER``, where workers without ``storage.spool`` keep theirs)."""
    from crawler.config import settings_value

    spool = Path(str(settings_value(settings, "ARCHIVE_STORAGE_SPOOL")))
    found = [str(spool)]
    if settings.get("ARCHIVE_REDIS_URL") and spool.parent.is_dir():
        found += sorted(str(p) for p in spool.parent.glob(f"{spool.name}~*") if p.is_dir())
    return found


def cmd_upload(args: argparse.Namespace) -> int:
    """Upload everything in spool/ready (every worker's spool of a distributed crawl on this
    machine); 0 when nothing is left, 1 if some is, 2 on bad config."""
    settings = archive_settings(args, require_config=False)
    codes = []
    for spool in spools(settings):
        own = settings.copy()
        own.set("ARCHIVE_STORAGE_SPOOL", spool, priority="cmdline")
        codes.append(upload_spool(own, args))
    return max(codes)


def upload_spool(settings: Any, args: argparse.Namespace) -> int:
    from pipelines.manifest import build_manifest, new_run_id, recover_manifests, submit_manifest
    from pipelines.storage import StorageError, Uploader, UploaderConfig

    try:
        config = UploaderConfig.from_settings(settings)
        uploader = Uploader(config, store_options=settings)
        uploader.check(create=args.create_bucket)
    except StorageError as exc:
        error(str(exc))
        return 2
    run_id = new_run_id() + "-upload"
    recovered = recover_manifests(uploader, f"newsvault upload {run_id}")
    uploader.journal_run_id = run_id
    queued = uploader.enqueue_pending()
    if recovered:
        print(f"wrote recovery manifest(s) for run(s) {', '.join(recovered)}")
    if not queued and not recovered:
        print(f"nothing to upload in {uploader.ready_dir}")
        return 0
    print(f"uploading {queued} file(s) from {uploader.ready_dir} ...", flush=True)

    def manifest(u: Uploader) -> None:
        # Leftovers of a run that died before its manifest are listed somewhere after all.
        if u.shipped:
            doc = build_manifest(
                run_id=run_id,
                config_hash=str(settings.get("ARCHIVE_CONFIG_HASH") or ""),
                config_path=str(settings.get("ARCHIVE_CONFIG_PATH") or ""),
                started=u.started_at,
                finished=None,
                stats={},
                files=list(u.shipped),
                stores={name: store.describe() for name, store in u.stores.items()},
            )
            submit_manifest(u, doc)
        u.end_journal()

    uploader.add_close_hook(manifest)
    uploader.start()
    pending = uploader.finish(timeout=args.timeout)
    shipped = [f for f in uploader.shipped if f.kind != "manifest"]
    print(f"uploaded {len(shipped)} file(s), {sum(f.size for f in shipped)} bytes")
    if pending:
        error(
            f"{len(pending)} file(s) could not be uploaded and stay in {uploader.ready_dir}; "
            "see the warnings above and run `newsvault upload` again"
        )
        return 1
    return 0
