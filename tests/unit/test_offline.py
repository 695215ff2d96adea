"""Start-up makes no network request for the Public Suffix List (quiet on an offline machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Any DNS lookup fails loudly; the add-on is applied as a crawl applies it, then Scrapy's
# cookie middleware splits a domain (what it does for every Set-Cookie).
SCRIPT = """
import socket, sys
def no_network(*args, **kwargs):
    print("NETWORK", args[:2], file=sys.stderr)
    raise OSError("offline")
socket.getaddrinfo = no_network
from scrapy.settings import Settings
from crawler.addon import NewsvaultAddon
settings = Settings()
settings.set("NEWSVAULT_CONFIG", sys.argv[1])
NewsvaultAddon().update_settings(settings)
from scrapy.downloadermiddlewares import cookies
print(cookies._is_public_domain("co.uk"), cookies._is_public_domain("example.co.uk"))
"""


def test_cookie_domains_use_the_bundled_suffix_list(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources:\n  - name: a\n    start_urls: ['http://127.0.0.1:9/']\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT")}
    env["TLDEXTRACT_CACHE"] = str(tmp_path / "empty-cache")  # nothing cached from earlier
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False"]
    assert proc.stderr == ""  # no lookup, no traceback, no warning
