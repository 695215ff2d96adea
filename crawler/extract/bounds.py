"""What extraction refuses before it starts: binary bodies and pages too large to parse safely."""

from __future__ import annotations

MB = 1024 * 1024

#: Bytes looked at to tell text from binary (a page's first 64 KiB decide).
SNIFF_BYTES = 64 * 1024
#: Share of control bytes above which a body is binary. Text in any charset newsvault
#: reads has none besides tab, newline, carriage return, form feed and ESC (ISO-2022).
MAX_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1b")
_CONTROL = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 text is full of NUL bytes


def looks_binary(body: bytes) -> bool:
    """True if ``body`` is not text: an image, an archive, random bytes under a text type."""
    head = body[:SNIFF_BYTES]
    if not head or head.startswith(_BOMS):
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > MAX_CONTROL_SHARE * len(head)


def refusal(body: bytes, max_bytes: int) -> str | None:
    """Why extraction should not run on ``body`` (one phrase), or None."""
    if max_bytes and len(body) > max_bytes:
        return f"{len(body) / MB:.1f} MB of HTML is over the {max_bytes / MB:g} MB extraction limit"
    if looks_binary(body):
        return "the body is binary, not text"
    return None
