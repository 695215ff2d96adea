"""`make demo-s3`: the demo crawl into a local SeaweedFS S3 server that this script starts and stops."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from demo import demo_config  # noqa: E402

from pipelines.storage import store_from_uri  # noqa: E402
from tests.sample_site import SampleSite  # noqa: E402
from tests.services import SeaweedFS  # noqa: E402

BUCKET = "newsvault-demo"


def s3_config(site_url: str, server: SeaweedFS, spool: Path) -> str:
    """The file:// demo config with every store moved to s3://BUCKET/..."""
    placeholder = Path("/NEWSVAULT-ARCHIVE")
    s3 = (
        "  s3:\n"
        f"    endpoint_url: {server.endpoint_url}\n"
        "    region: us-east-1\n"
        "    addressing_style: path\n"
    )
    text = demo_config(site_url, placeholder, spool, extra_storage=s3)
    return text.replace(str(placeholder), f"s3://{BUCKET}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the SeaweedFS data directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsvault-demo-s3-"))
    spool = work / "spool"
    config = work / "demo_s3_config.yaml"
    # Demo-only keys for the throwaway server; real crawls take them from the AWS chain.
    server = SeaweedFS(work / "seaweedfs", bucket=BUCKET)
    os.environ.update(server.env())
    newsvault = str(Path(sys.executable).parent / "newsvault")
    site = SampleSite()
    rc = 1
    try:
        print("Starting SeaweedFS (weed mini) ...", flush=True)
        server.start()
        print(f"S3 endpoint {server.endpoint_url}, bucket s3://{BUCKET}")
        site.start()
        print(f"Serving the sample news site at {site.url}/")
        config.write_text(s3_config(site.url, server, spool))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        crawl = [newsvault, "crawl", "--config", str(config), "--log-level", "WARNING"]
        rc = subprocess.run(crawl, cwd=REPO, env=env, check=False).returncode
        site.stop()
        print(f"\nObjects in s3://{BUCKET}:")
        store = store_from_uri(f"s3://{BUCKET}", server.settings())
        for key in store.list():
            print(f"  s3://{BUCKET}/{key}  ({store.size(key):,} bytes)")
        print("\nVerifying the run manifest against the bucket:")
        verify = [newsvault, "verify", f"s3://{BUCKET}/manifests", "--config", str(config)]
        verify_rc = subprocess.run(verify, cwd=REPO, env=env, check=False).returncode
        rc = rc or verify_rc
    finally:
        site.stop()
        server.stop()
        print("SeaweedFS stopped.")
        if args.keep:
            print(f"Data kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
