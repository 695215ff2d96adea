"""The store protocol, its errors, key validation and the helpers every backend shares."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from crawler.config import DEFAULT_SETTINGS

CHUNK = 1024 * 1024
TMP_PREFIX = ".nv-tmp-"
MB = 1024 * 1024


#: What an S3-compatible server may echo back in an error body: signatures, credential
#: scopes, session tokens, access key ids, and whole Authorization headers.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization\s*[:=]\s*)[^\n]*"),
    re.compile(r"(?i)(x-amz-security-token\s*[:=]\s*)[^\s,;&<\"']+"),
    re.compile(r"(?i)(x-amz-(?:signature|credential)\s*[:=]\s*)[^\s,;&<\"']+"),
    re.compile(r"(?i)(signature\s*=\s*)[^\s,;&<\"']+"),
    re.compile(r"(?i)(credential\s*=\s*)[^\s,;&<\"']+"),
    re.compile(r"(?i)((?:aws_)?(?:secret_access_key|session_token|access_key_id)\s*[:=]\s*)\S+"),
    re.compile(r"()\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{12,}\b"),
)
#: Longest error text kept: a store's error body is not ours to print in full.
MAX_ERROR_CHARS = 400


def scrub_secrets(text: str, known: tuple[str, ...] = ()) -> str:
    """``text`` as one line with credentials, tokens and signatures replaced by ``***``.

    ``known`` are the secrets in use (access key id, secret key, session token): removed
    wherever they appear. The patterns catch what a server echoes in any other form.
    """
    for secret in known:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    text = " ".join(text.split())
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text


class StorageError(Exception):
    """Base class of every storage problem."""


class StorageConfigError(StorageError):
    """A store URI or option that cannot work; the message names it and the fix."""


class StoreUnavailableError(StorageConfigError):
    """A store that is configured but not usable (credentials, bucket, endpoint, permissions)."""


class ObjectNotFoundError(StorageError, LookupError):
    """The key does not exist in the store."""


class UploadVerificationError(StorageError):
    """The stored object does not match the local file (size or sha256)."""


@dataclass(frozen=True)
class StoredObject:
    """An object in a store; ``sha256`` is "" when the store does not know it."""

    key: str
    size: int
    sha256: str


@runtime_checkable
class Store(Protocol):
    """What the archive needs from a place to keep files; keys are relative POSIX paths."""

    def put_file(self, local_path: Path, key: str) -> StoredObject: ...
    def put_bytes(self, data: bytes, key: str) -> StoredObject: ...
    def get_bytes(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def stat(self, key: str) -> StoredObject | None: ...
    def sha256(self, key: str) -> str: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def read_range(self, key: str, start: int, length: int) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def describe(self) -> str: ...
    def uri_for(self, key: str) -> str: ...
    def check(self, create: bool = False) -> None: ...
    def explain(self, exc: BaseException) -> str: ...


# --------------------------------------------------------------------------- helpers


def file_sha256(path: Path) -> str:
    """Hex sha256 of a local file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative POSIX path; raise ValueError otherwise."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise ValueError(f"invalid object key {key!r}: use a relative path like 2026/01/02/f.gz")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid object key {key!r}: no empty, '.' or '..' path segments")
    if parts[-1].startswith(TMP_PREFIX):
        raise ValueError(f"invalid object key {key!r}: names starting {TMP_PREFIX!r} are reserved")
    return key


def option(options: Any, name: str) -> Any:
    """Setting ``name`` from Scrapy settings or any mapping with .get(); unset or "" gives
    its default from ``crawler.config.DEFAULT_SETTINGS`` (None if it has none)."""
    value = options.get(name) if options is not None else None
    return DEFAULT_SETTINGS.get(name) if value is None or value == "" else value


def probe_writable(directory: Path) -> None:
    """Create ``directory`` if needed and prove a file can be made in it (OSError if not)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + "probe-", dir=directory)
    os.close(fd)
    os.unlink(tmp)
