"""Date parsing for articles and comments: ISO, compact and written dates, dates in URLs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (
                "jan",
                "january",
                "januar",
                "janvier",
                "enero",
                "gennaio",
                "jänner",
                "januari",
                "janeiro",
                "stycznia",
            ),
            (
                "feb",
                "february",
                "februar",
                "février",
                "fevrier",
                "febrero",
                "febbraio",
                "februari",
                "fevereiro",
                "lutego",
            ),
            ("mar", "march", "märz", "maerz", "mars", "marzo", "maart", "março", "marca"),
            ("apr", "april", "avril", "abril", "aprile", "kwietnia"),
            ("may", "mai", "mayo", "maggio", "mei", "maio", "maja"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "junho", "czerwca"),
            ("jul", "july", "juli", "juillet", "julio", "luglio", "julho", "lipca"),
            ("aug", "august", "août", "aout", "agosto", "augustus", "sierpnia"),
            (
                "sep",
                "sept",
                "september",
                "septembre",
                "septiembre",
                "settembre",
                "setembro",
                "września",
            ),
            (
                "oct",
                "october",
                "oktober",
                "octobre",
                "octubre",
                "ottobre",
                "okt",
                "outubro",
                "października",
            ),
            ("nov", "november", "novembre", "noviembre", "novembro", "listopada"),
            (
                "dec",
                "december",
                "dezember",
                "décembre",
                "decembre",
                "diciembre",
                "dicembre",
                "dez",
                "dezembro",
                "grudnia",
            ),
        ],
        start=1,
    )
    for name in names
}

_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_COMPACT_RE = re.compile(
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$"
)
_TIME_RE = re.compile(
    r"(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?", re.I
)
# 18.05.2014, 18/05/2014, and the typographic 18. 05. 2014 (thin spaces too)
_DMY_NUM_RE = re.compile(r"\b(?P<d>\d{1,2})[./]\s?(?P<m>\d{1,2})[./]\s?(?P<y>\d{4})\b")
_TEXT_DATE_RES = (
    # 5 January 2024 / 5. Januar 2024 / 5 janv. 2024
    re.compile(
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(?P<y>\d{4})\b"
    ),
    # January 5, 2024
    re.compile(r"\b(?P<mon>[^\W\d_]{3,10})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b"),
)


def _tz_suffix(tz: str | None) -> str:
    if not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    digits = tz[1:].replace(":", "")
    if len(digits) == 2:
        digits += "00"
    return f"{tz[0]}{digits[:2]}:{digits[2:4]}"


def _build(
    y: int, m: int, d: int, hh: int | None, mm: int | None, ss: int | None, tz: str
) -> str | None:
    try:
        datetime(y, m, d, hh or 0, mm or 0, ss or 0)
    except ValueError:
        return None
    if not 1900 <= y <= 2100 or (y, m, d) == (1970, 1, 1):  # the Unix epoch is a null date
        return None
    day = f"{y:04d}-{m:02d}-{d:02d}"
    if hh is None:
        return day
    return f"{day}T{hh:02d}:{mm or 0:02d}:{ss or 0:02d}{tz}"


def iso_with_zone(value: Any) -> str | None:
    """Return an ISO 8601 string keeping exactly the precision the source gives.

    A date alone stays a date (``2024-01-05``), a time without zone stays naive,
    a zone is kept as an offset. Unparseable values give None.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        # epoch seconds or milliseconds
        ts = float(value) / (1000 if value > 10**11 else 1)
        try:
            return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    match = _ISO_RE.search(text)
    if match:
        g = match.groupdict()
        hh = int(g["H"]) if g["H"] is not None else None
        return _build(
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            hh,
            int(g["M"]) if g["M"] else None,
            int(g["S"]) if g["S"] else None,
            _tz_suffix(g["tz"]) if hh is not None else "",
        )
    match = _COMPACT_RE.match(text)
    if match:
        g = match.groupdict()
        hh = int(g["H"]) if g["H"] else None
        return _build(
            int(g["y"]), int(g["m"]), int(g["d"]), hh, int(g["M"]) if g["M"] else None, None, ""
        )
    return parse_text_date(text)


def parse_text_date(text: str) -> str | None:
    """Parse human-written dates such as 'March 3, 2024 at 10:15 am' or '3. März 2024, 10:15'."""
    y = m = d = None
    rest = text
    num = _DMY_NUM_RE.search(text)
    if num:
        y, m, d = int(num["y"]), int(num["m"]), int(num["d"])
        if m > 12 and d <= 12 and "/" in num.group(0):
            m, d = d, m  # "10/29/2012": written month first, as in the US
        rest = text[num.end() :]
    else:
        for regex in _TEXT_DATE_RES:
            found = regex.search(text)
            if found and found["mon"].lower().rstrip(".") in _MONTHS:
                y, m, d = (
                    int(found["y"]),
                    _MONTHS[found["mon"].lower().rstrip(".")],
                    int(found["d"]),
                )
                rest = text[found.end() :]
                break
    if y is None or m is None or d is None:
        return None
    hh = mm = ss = None
    tmatch = _TIME_RE.search(rest)
    if tmatch:
        hh, mm = int(tmatch["H"]), int(tmatch["M"])
        ss = int(tmatch["S"]) if tmatch["S"] else None
        ampm = (tmatch["ampm"] or "").lower().replace(".", "")
        if ampm == "pm" and hh < 12:
            hh += 12
        elif ampm == "am" and hh == 12:
            hh = 0
        if hh > 23 or mm > 59:
            hh = mm = ss = None
    return _build(y, m, d, hh, mm, ss, "")


_URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?|$)"
    r"|[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)


def url_date(url: str) -> str | None:
    """A date written in the URL path, at day precision."""
    match = _URL_DATE_RE.search(urlsplit(url).path)
    if not match:
        return None
    y, m, d = (g for g in match.groups() if g is not None)
    return iso_with_zone(f"{int(y):04d}-{int(m):02d}-{int(d):02d}")
