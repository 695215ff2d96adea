"""Date parsing for feeds and sitemaps (RFC 822, ISO 8601/W3C) and dates found in URLs."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

logger = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_ISO_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_URL_DATES = (
    # /2024/03/07/ or /2024/3/7/
    re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$|[-_])"),
    # 2024-03-07 or 2024_03_07 anywhere in the path
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_](0[1-9]|1[0-2])[-_](0[1-9]|[12]\d|3[01])(?!\d)"),
    # /20240307/ or -20240307- as a whole path token
    re.compile(r"(?<![\d])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d])"),
)


def parse_date(value: str | None) -> datetime | None:
    """Parse a feed or sitemap date into an aware UTC datetime, or None.

    Accepts W3C/ISO 8601 (``2024-03-07``, ``2024-03-07T10:00:00Z``, with offsets) and
    RFC 822/2822 (``Thu, 07 Mar 2024 10:00:00 GMT``). Naive values are taken as UTC.
    """
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    dt: datetime | None = None
    if text[0].isdigit():
        if len(text) == 7 and _ISO_DATE.match(text):
            text += "-01"  # W3C "YYYY-MM" precision
        # Normalise for Python 3.10's stricter fromisoformat: "Z", 1-9 fraction digits.
        iso_text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        iso_text = _ISO_FRACTION.sub(lambda m: m.group(1).ljust(7, "0"), iso_text, count=1)
        try:
            dt = datetime.fromisoformat(iso_text)
        except ValueError:
            dt = None
    if dt is None:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix, or None."""
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def to_utc_iso(value: str | None) -> str | None:
    """A date string as ISO 8601 UTC, or None if it cannot be parsed."""
    return iso(parse_date(value))


def date_from_url(url: str, *, today: date | None = None) -> date | None:
    """The publication date that a news URL spells out (``/2024/03/07/slug``), if any.

    Dates in the future (beyond tomorrow) are rejected as IDs that look like dates.
    """
    limit = (today or datetime.now(timezone.utc).date()) + timedelta(days=1)
    path = url.split("?", 1)[0].split("#", 1)[0]
    # Skip scheme and host: digits in host names are never dates.
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    for pattern in _URL_DATES:
        for m in pattern.finditer(path):
            try:
                found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            if found <= limit:
                return found
    return None


def older_than(value: datetime | date, max_age_days: int, *, now: datetime | None = None) -> bool:
    """True if ``value`` lies more than ``max_age_days`` days before ``now``."""
    now = now or datetime.now(timezone.utc)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    else:
        # A bare date may mean any time that day: judge it by its end, to keep borderline items.
        moment = datetime(value.year, value.month, value.day, tzinfo=timezone.utc) + timedelta(
            days=1
        )
    return moment < now - timedelta(days=max_age_days)


def best_known_date(discovery: Mapping[str, Any], url: str) -> datetime | date | None:
    """The best date known before fetching: the published date a feed or news sitemap
    gave, else a date in the URL, else the last modification (an upper bound)."""
    published = parse_date(discovery.get("published"))
    if published is not None:
        return published
    in_url = date_from_url(url)
    if in_url is not None:
        return in_url
    for key in ("modified", "lastmod"):
        found = parse_date(discovery.get(key))
        if found is not None:
            return found
    return None


def published_too_old(
    published: str | None, max_age_days: int | None, *, now: datetime | None = None
) -> bool:
    """The after-extraction age filter: True if ``published`` lies beyond ``max_age_days``.

    Unknown dates and sources without a limit never count as too old.
    """
    if max_age_days is None:
        return False
    when = parse_date(published)
    return when is not None and older_than(when, max_age_days, now=now)
