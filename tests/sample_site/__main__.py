"""Serve the sample news site in the foreground: ``python -m tests.sample_site [--port N]``."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from .expected import write_expected
from .server import SampleSite

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sample_site", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--write-expected",
        action="store_true",
        help="re-pin expected.json from the content and exit",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    if args.write_expected:
        print(write_expected())
        return 0

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    site = SampleSite(port=args.port, host=args.host).start()
    print(site.url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
