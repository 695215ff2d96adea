"""`newsvault verify URI`: check every run manifest (every worker's of a distributed run)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from typing import Any

from crawler.cli.common import archive_settings, config_options, error

logger = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        parents=[config_options()],
        help="check that every file the run manifests list exists with its size and sha256",
    )
    p.add_argument(
        "uri",
        metavar="URI",
        help="the manifests store (path, file:// or s3://...), or one manifest's .json URI",
    )
    p.add_argument(
        "--run",
        metavar="RUN_ID",
        help="check only this run (a distributed run: every worker's manifest)",
    )
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

    settings = archive_settings(args, require_config=False)
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
        error(f"no run manifest at {exc}: check the URI and --run")
        return 2
    except StorageError as exc:
        error(str(exc))
        return 2
    except ValueError as exc:  # a manifest that is not JSON
        error(f"{uri}: cannot read manifest: {exc}")
        return 2
    if not manifests:
        if args.run:
            error(f"no manifest of run {args.run} under {base.describe()}: check the run id")
        else:
            error(f"no run manifests found under {base.describe()}: check the URI")
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
    # A distributed run has one manifest per worker: the runs are its distinct run ids.
    runs = len({str(doc.get("run_id") or key) for key, doc in manifests})
    summary = (
        f"checked {len(manifests)} manifest(s) of {runs} run(s), {files} file(s): "
        f"{problems} problem(s)"
    )
    if problems:
        error(summary)
        return 1
    print(summary)
    return 0
