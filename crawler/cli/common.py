"""What every `newsvault` sub-command shares: --config, -s NAME=VALUE, settings and errors."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from crawler.config import CONFIG_ENV, ConfigError
from crawler.outcome import EXIT_USAGE

logger = logging.getLogger(__name__)


def config_options() -> argparse.ArgumentParser:
    """A parent parser with --config and -s, for sub-commands that read the config."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--config", help=f"config file (default: ${CONFIG_ENV} or ./archive_config.yaml)"
    )
    parent.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting (repeatable), e.g. -s AWS_ENDPOINT_URL=http://127.0.0.1:8333",
    )
    return parent


def parse_set(values: Sequence[str]) -> list[tuple[str, str]]:
    """`-s NAME=VALUE` arguments as pairs; a malformed one ends the command with one line."""
    pairs = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            error(f"-s {item!r}: expected NAME=VALUE, e.g. -s LOG_LEVEL=DEBUG")
            raise SystemExit(EXIT_USAGE)
        pairs.append((name, value))
    return pairs


def archive_settings(args: argparse.Namespace, *, require_config: bool) -> Any:
    """Project settings with the config file applied as the add-on would, then `-s`.

    Without ``require_config`` a missing or unusable default config is not an error (a
    researcher may run `newsvault verify URI` anywhere); an explicit --config must work.
    """
    from crawler.launch import apply_config, project_settings, read_config

    settings: Any = project_settings()
    try:
        cfg = read_config(settings, args.config)
    except ConfigError as exc:
        if require_config or args.config:
            error(str(exc))
            raise SystemExit(EXIT_USAGE) from None
        logger.debug("No usable config (%s); using defaults and -s settings", exc)
    else:
        settings = apply_config(settings, cfg)
    for name, value in parse_set(args.set):
        settings.set(name, value, priority="cmdline")
    return settings


def error(message: str) -> None:
    """One line on stderr, prefixed like every newsvault message."""
    print(f"newsvault: {message}", file=sys.stderr)
