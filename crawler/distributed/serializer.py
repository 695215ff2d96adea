"""Requests as JSON for the shared queue (a scrapy-redis serializer: ``dumps``/``loads``).

scrapy-redis pickles requests by default: anyone who can write to Redis could then run
code in every worker, and a pickle ties the queue to one Python and Scrapy version.
This module writes ``Request.to_dict()`` as JSON instead. Bytes (body, header values)
become ``{"$bytes": "<latin-1 text>"}`` (header names become text); tuples in ``meta`` come back as lists.
A ``meta`` or ``cb_kwargs`` value JSON cannot hold is an error naming the key.
"""

from __future__ import annotations

import json
from typing import Any

BYTES_TAG = "$bytes"


class SerializationError(TypeError):
    """A request holds a value that cannot travel as JSON."""


def _encode(value: Any, where: str) -> Any:
    if isinstance(value, bytes):
        return {BYTES_TAG: value.decode("latin-1")}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, bytes):
                key = key.decode("latin-1")  # header names
            elif not isinstance(key, str):
                raise SerializationError(f"{where}: key {key!r} is not text")
            out[key] = _encode(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise SerializationError(
        f"{where} is a {type(value).__name__}, which cannot be queued as JSON; "
        "keep request meta to text, numbers, lists and dicts"
    )


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and BYTES_TAG in obj:
        return obj[BYTES_TAG].encode("latin-1")
    return obj


def dumps(request_dict: dict[str, Any]) -> bytes:
    """``Request.to_dict()`` -> compact UTF-8 JSON."""
    data = _encode(request_dict, "request")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """JSON from ``dumps`` -> a dict for ``scrapy.utils.request.request_from_dict``."""
    result: dict[str, Any] = json.loads(data, object_hook=_decode)
    return result
