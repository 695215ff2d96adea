"""`newsvault upload` (ship what waits in the spool) and `newsvault verify URI` (check manifests)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)


def add_parsers(sub: Any) -> None:
    """Register the `upload` and `verify` sub-commands on the `newsvault` parser."""
    p = sub.add_parser(
        "upload",
        help="upload files left in the spool by an interrupted run or an unreachable store",
    )
    _common(p)
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

    p = sub.add_parser(
        "verify",
        help="check that every file the run manifests list exists with its size and sha256",
    )
    p.add_argument(
        "uri",
        metavar="URI",
        help="the manifests store (path, file:// or s3://...), or one manifest's .json URI",
    )
    _common(p)
    p.add_argument("--run", metavar="RUN_ID", help="check only this run's manifest")
    p.add_argument(
        "--deep",
        action="store_true",
        help="read every object back and hash it (S3 otherwise compares the stored sha256)",
    )
    p.add_argument(
        "--store",
        action="append",
        default=[],
        metavar="NAME=URI",
        help="check store NAME (warc, json, ...) at URI instead of where the manifest says",
    )
    p.set_defaults(func=cmd_verify)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config", help="config file (default: $NEWSVAULT_CONFIG or ./archive_config.yaml)"
    )
    p.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting (repeatable), e.g. -s AWS_ENDPOINT_URL=http://127.0.0.1:8333",
    )


def _settings(args: argparse.Namespace, *, require_config: bool) -> Any:
    """Project settings with archive_config.yaml applied as the add-on would, then `-s`."""
    from crawler.cli import _parse_set, crawl_settings
    from crawler.config import ConfigError, load_config, to_settings
    from crawler.launch import config_path_from

    overrides = _parse_set(args.set)
    settings = crawl_settings(args.config, ())
    try:
        cfg = load_config(config_path_from(settings, args.config))
    except ConfigError as exc:
        if require_config or args.config:
            raise SystemExit(f"newsvault: {exc}") from None
        logger.debug("No usable config (%s); using defaults and -s settings", exc)
    else:
        for name, value in to_settings(cfg).items():
            settings.set(name, value, priority="addon")
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    return settings


def _err(message: str) -> None:
    print(f"newsvault: {message}", file=sys.stderr)


def cmd_upload(args: argparse.Namespace) -> int:
    """Upload everything in spool/ready; 0 when nothing is left, 1 if some is, 2 on bad config."""
    from pipelines.manifest import build_manifest, new_run_id, submit_manifest
    from pipelines.storage import StorageError, Uploader, UploaderConfig

    settings = _settings(args, require_config=False)
    try:
        config = UploaderConfig.from_settings(settings)
        uploader = Uploader(config, store_options=settings)
        uploader.check(create=args.create_bucket)
    except StorageError as exc:
        _err(str(exc))
        return 2
    queued = uploader.enqueue_pending()
    if not queued:
        print(f"nothing to upload in {uploader.ready_dir}")
        return 0
    print(f"uploading {queued} file(s) from {uploader.ready_dir} ...", flush=True)

    def manifest(u: Uploader) -> None:
        # Leftovers of a run that died before its manifest are listed somewhere after all.
        if u.shipped:
            doc = build_manifest(
                run_id=new_run_id() + "-upload",
                config_hash=str(settings.get("ARCHIVE_CONFIG_HASH") or ""),
                config_path=str(settings.get("ARCHIVE_CONFIG_PATH") or ""),
                started=u.started_at,
                finished=None,
                stats={},
                files=list(u.shipped),
                stores={name: store.describe() for name, store in u.stores.items()},
            )
            submit_manifest(u, doc)

    uploader.add_close_hook(manifest)
    uploader.start()
    pending = uploader.finish(timeout=args.timeout)
    shipped = [f for f in uploader.shipped if f.kind != "manifest"]
    print(f"uploaded {len(shipped)} file(s), {sum(f.size for f in shipped)} bytes")
    if pending:
        _err(
            f"{len(pending)} file(s) could not be uploaded and stay in {uploader.ready_dir}; "
            "see the warnings above and run `newsvault upload` again"
        )
        return 1
    return 0


def _override_stores(values: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, uri = item.partition("=")
        if not sep or not name or not uri:
            raise SystemExit(
                f"newsvault: --store {item!r}: expected NAME=URI, e.g. warc=s3://b/warc"
            )
        out[name] = uri
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every manifest under URI: prints one line per problem; 1 if any, 2 if unusable."""
    import json

    from pipelines.manifest import iter_manifests, verify_manifest
    from pipelines.storage import ObjectNotFoundError, StorageError, Store, store_from_uri

    settings = _settings(args, require_config=False)
    overrides = _override_stores(args.store)
    cache: dict[str, Store] = {}

    def store_for(uri: str) -> Store:
        if uri not in cache:
            cache[uri] = store_from_uri(uri, settings)
        return cache[uri]

    uri = args.uri.rstrip("/")
    try:
        if uri.endswith(".json"):
            parent, _, key = uri.rpartition("/")
            base = store_for(parent or ".")
            manifests = [(key, json.loads(base.get_bytes(key)))]
        else:
            base = store_for(uri)
            base.check()
            manifests = list(iter_manifests(base, args.run))
    except ObjectNotFoundError as exc:
        _err(f"no run manifest at {exc}: check the URI and --run")
        return 2
    except StorageError as exc:
        _err(str(exc))
        return 2
    except ValueError as exc:  # a manifest that is not JSON
        _err(f"{uri}: cannot read manifest: {exc}")
        return 2
    if not manifests:
        _err(f"no run manifests found under {base.describe()}: check the URI")
        return 1

    problems = 0
    files = 0
    for key, doc in manifests:
        try:
            stores = {
                name: store_for(overrides.get(name, where))
                for name, where in {**doc.get("stores", {}), **overrides}.items()
            }
        except StorageError as exc:
            print(f"{key}: {exc}")
            problems += 1
            continue
        lines = verify_manifest(doc, stores, deep=args.deep)
        files += len(doc.get("files", ()))
        for line in lines:
            print(line)
        problems += len(lines)
    summary = f"checked {len(manifests)} manifest(s), {files} file(s): {problems} problem(s)"
    if problems:
        _err(summary)
        return 1
    print(summary)
    return 0
