"""Object stores by URI scheme (plain path, file://, s3://) and the background uploader."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import heapq
import itertools
import json
import logging
import os
import random
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
TMP_PREFIX = ".nv-tmp-"
MB = 1024 * 1024

#: The stores every crawl ships to, with their defaults (relative paths: local directories).
DEFAULT_STORES: dict[str, str] = {
    "warc": "archive/warc",
    "json": "archive/json",
    "state": "archive/state",
    "manifests": "archive/manifests",
}
DEFAULT_SPOOL = ".newsvault/spool"


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


def _opt(options: Any, name: str, default: Any = None) -> Any:
    if options is None:
        return default
    value = options.get(name)
    return default if value is None or value == "" else value


def probe_writable(directory: Path) -> None:
    """Create ``directory`` if needed and prove a file can be made in it (OSError if not)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + "probe-", dir=directory)
    os.close(fd)
    os.unlink(tmp)


def _fsync_dir(path: Path) -> None:
    # Makes a rename durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- file://


class FileStore:
    """A directory on a local (or mounted) file system; every write is atomic."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().absolute()

    @classmethod
    def from_uri(cls, uri: str, options: Any = None) -> FileStore:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise StorageConfigError(
                    f"storage URI {uri!r} names host {parts.netloc!r}: use file:///absolute/path "
                    "(three slashes) or a plain path"
                )
            if parts.query or parts.fragment:
                raise StorageConfigError(
                    f"storage URI {uri!r} has a query or fragment: use file:///absolute/path"
                )
            path = unquote(parts.path)
            if not path:
                raise StorageConfigError(f"storage URI {uri!r} has no path: use file:///abs/path")
            return cls(path)
        if not uri.strip():
            raise StorageConfigError("storage URI is empty: give a path or s3://bucket/prefix")
        return cls(uri)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def describe(self) -> str:
        return self.root.as_uri()

    def uri_for(self, key: str) -> str:
        return self._path(key).as_uri()

    def check(self, create: bool = False) -> None:
        # A local archive directory is always created: a fresh checkout must work as is.
        try:
            probe_writable(self.root)
        except OSError as exc:
            raise StoreUnavailableError(
                f"cannot write to archive directory {self.describe()} ({exc.strerror or exc}): "
                "fix its permissions or point the storage setting elsewhere"
            ) from None

    def _atomic_write(self, key: str, write: Callable[[Any], None]) -> Path:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        return target

    def put_file(self, local_path: Path, key: str) -> StoredObject:
        h = hashlib.sha256()
        size = 0

        def copy(out: Any) -> None:
            nonlocal size
            with open(local_path, "rb") as src:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)

        target = self._atomic_write(key, copy)
        stored = target.stat().st_size
        if stored != size:
            raise UploadVerificationError(
                f"{self.uri_for(key)}: wrote {size} bytes but the file has {stored}"
            )
        return StoredObject(key, size, h.hexdigest())

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        self._atomic_write(key, lambda out: out.write(data))
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest())

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def sha256(self, key: str) -> str:
        try:
            return file_sha256(self._path(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            return StoredObject(key, path.stat().st_size, file_sha256(path))
        except FileNotFoundError:
            return None

    def list(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                if name.startswith(TMP_PREFIX):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    yield key

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise ValueError(f"invalid byte range start={start} length={length}")
        if length == 0:
            return b""
        try:
            with open(self._path(key), "rb") as f:
                f.seek(start)
                return f.read(length)
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()


# --------------------------------------------------------------------------- s3://


class _AWS:
    """boto3 and botocore, imported on first use.

    A crawl into local directories never loads them (7 MB and a tenth of a second of
    start-up); ``except _aws.ClientError`` looks the class up only when something raised.
    """

    _ERRORS = (
        "BotoCoreError",
        "ClientError",
        "ConnectTimeoutError",
        "EndpointConnectionError",
        "NoCredentialsError",
        "PartialCredentialsError",
    )

    def __getattr__(self, name: str) -> Any:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore import exceptions
        from botocore.config import Config

        loaded = {"boto3": boto3, "TransferConfig": TransferConfig, "BotoConfig": Config}
        loaded.update({error: getattr(exceptions, error) for error in self._ERRORS})
        self.__dict__.update(loaded)
        if name not in loaded:
            raise AttributeError(name)
        return loaded[name]


_aws = _AWS()


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_NO_BUCKET = {"NoSuchBucket"}
_BAD_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidClientTokenId",
    "AuthorizationHeaderMalformed",
}


class S3Store:
    """``s3://bucket/prefix`` on AWS or any S3-compatible server (SeaweedFS, MinIO, Ceph, R2).

    Credentials come only from boto3's standard chain (environment, profile, instance
    role); they are never logged or written anywhere.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str = "auto",
        multipart_threshold: int = 64 * MB,
        multipart_chunksize: int = 64 * MB,
        max_concurrency: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        max_attempts: int = 3,
    ) -> None:
        if addressing_style not in ("auto", "path", "virtual"):
            raise StorageConfigError(
                f"ARCHIVE_S3_ADDRESSING_STYLE={addressing_style!r} is not supported: "
                "use auto, path or virtual"
            )
        if addressing_style == "auto" and endpoint_url:
            # Self-hosted servers on an IP or a single host name rarely have wildcard DNS.
            addressing_style = "path"
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self.addressing_style = addressing_style
        self.transfer_config = _aws.TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
        )
        base = {
            # boto3 >= 1.36 adds CRC trailers by default, which many S3-compatible stores reject.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
            "s3": {"addressing_style": addressing_style},
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
        }
        _quiet_aws_loggers()
        session = _aws.boto3.session.Session()
        self._client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=_aws.BotoConfig(
                **base, retries={"max_attempts": max_attempts, "mode": "standard"}
            ),
        )
        self._probe_client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=_aws.BotoConfig(**base, retries={"max_attempts": 1, "mode": "standard"}),
        )

    @classmethod
    def from_uri(cls, uri: str, options: Any = None) -> S3Store:
        parts = urlsplit(uri)
        if "@" in parts.netloc:
            raise StorageConfigError(
                f"storage URI for bucket {parts.hostname!r} contains credentials: remove them "
                "and use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role"
            )
        bucket = parts.netloc
        if not bucket or parts.query or parts.fragment or parts.port is not None:
            raise StorageConfigError(
                f"storage URI {uri!r} is not of the form s3://bucket/prefix: fix the storage setting"
            )
        prefix = unquote(parts.path).strip("/")
        if prefix:
            try:
                validate_key(prefix)
            except ValueError:
                raise StorageConfigError(
                    f"storage URI {uri!r} has an invalid prefix: use s3://bucket/some/prefix"
                ) from None
        endpoint = _opt(options, "AWS_ENDPOINT_URL")
        if endpoint is not None and urlsplit(str(endpoint)).scheme not in ("http", "https"):
            raise StorageConfigError(
                f"AWS_ENDPOINT_URL={endpoint!r} for {uri} is not an http(s) URL: "
                "set storage.s3.endpoint_url to e.g. http://127.0.0.1:8333"
            )
        return cls(
            bucket,
            prefix,
            endpoint_url=endpoint,
            region=_opt(options, "AWS_REGION_NAME"),
            addressing_style=str(_opt(options, "ARCHIVE_S3_ADDRESSING_STYLE", "auto")),
            multipart_threshold=int(_opt(options, "ARCHIVE_S3_MULTIPART_THRESHOLD", 64 * MB)),
            multipart_chunksize=int(_opt(options, "ARCHIVE_S3_MULTIPART_CHUNKSIZE", 64 * MB)),
        )

    def _full(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def uri_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key)}"

    def _where(self) -> str:
        return f" at {self.endpoint_url}" if self.endpoint_url else ""

    def explain(self, exc: BaseException) -> str:
        """One sentence naming this store, what went wrong and the fix."""
        uri = self.describe()
        if isinstance(exc, (_aws.NoCredentialsError, _aws.PartialCredentialsError)):
            return (
                f"no AWS credentials found for {uri}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance role"
            )
        if isinstance(exc, (_aws.EndpointConnectionError, _aws.ConnectTimeoutError)):
            endpoint = self.endpoint_url or "the AWS endpoint"
            return (
                f"cannot reach {endpoint} for {uri}: check storage.s3.endpoint_url "
                "(AWS_ENDPOINT_URL) and that the S3 server is running"
            )
        if isinstance(exc, _aws.ClientError):
            code = _error_code(exc)
            if code in _NO_BUCKET:
                return (
                    f"bucket {self.bucket!r} does not exist{self._where()} for {uri}: "
                    "create it or run `newsvault crawl --create-bucket`"
                )
            if code in _BAD_CREDENTIALS:
                return (
                    f"the S3 server{self._where()} rejected the credentials for {uri} ({code}): "
                    "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
                )
            if code in ("AccessDenied", "403", "AllAccessDisabled"):
                return (
                    f"access denied to {uri}{self._where()} ({code}): grant these credentials "
                    "s3:ListBucket, s3:GetObject and s3:PutObject on the bucket"
                )
            return f"S3 error on {uri}{self._where()}: {code or _status(exc)}: {exc}"
        return f"S3 error on {uri}{self._where()}: {type(exc).__name__}: {exc}"

    def check(self, create: bool = False) -> None:
        try:
            self._probe_client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.prefix + "/" if self.prefix else "", MaxKeys=1
            )
            return
        except _aws.ClientError as exc:
            if not (create and _error_code(exc) in _NO_BUCKET):
                raise StoreUnavailableError(self.explain(exc)) from None
        except _aws.BotoCoreError as exc:
            raise StoreUnavailableError(self.explain(exc)) from None
        self.create_bucket()

    def create_bucket(self) -> None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        region = self._probe_client.meta.region_name
        if region and region != "us-east-1" and not self.endpoint_url:
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._probe_client.create_bucket(**kwargs)
        except _aws.ClientError as exc:
            if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise StoreUnavailableError(
                    f"cannot create bucket {self.bucket!r}{self._where()}: {self.explain(exc)}"
                ) from None
        except _aws.BotoCoreError as exc:
            raise StoreUnavailableError(self.explain(exc)) from None
        logger.info("Created bucket %s%s", self.bucket, self._where())

    def _verify(self, key: str, size: int, sha256: str) -> StoredObject:
        info = self.stat(key)
        if info is None:
            raise UploadVerificationError(f"{self.uri_for(key)}: missing right after upload")
        if info.size != size or info.sha256 != sha256:
            raise UploadVerificationError(
                f"{self.uri_for(key)}: stored size {info.size} sha256 {info.sha256 or '?'} "
                f"!= local size {size} sha256 {sha256}"
            )
        return info

    def put_file(self, local_path: Path, key: str) -> StoredObject:
        full = self._full(key)
        sha = file_sha256(local_path)
        size = Path(local_path).stat().st_size
        # The ETag of a multipart upload is not an MD5 of the content, so the sha256 goes in
        # metadata and is compared after the upload (and by `newsvault verify`).
        self._client.upload_file(
            str(local_path),
            self.bucket,
            full,
            ExtraArgs={"Metadata": {"sha256": sha}, "ContentType": _content_type(key)},
            Config=self.transfer_config,
        )
        return self._verify(key, size, sha)

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        sha = hashlib.sha256(data).hexdigest()
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._full(key),
            Body=data,
            Metadata={"sha256": sha},
            ContentType=_content_type(key),
        )
        return self._verify(key, len(data), sha)

    def _get(self, key: str, **kwargs: Any) -> Any:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._full(key), **kwargs)
        except _aws.ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                raise ObjectNotFoundError(self.uri_for(key)) from None
            raise

    def get_bytes(self, key: str) -> bytes:
        body = self._get(key)["Body"]
        try:
            return body.read()
        finally:
            body.close()

    def stat(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self._full(key))
        except _aws.ClientError as exc:
            if _error_code(exc) in _NOT_FOUND or _status(exc) == 404:
                return None
            raise
        meta = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
        return StoredObject(key, int(head["ContentLength"]), meta.get("sha256", ""))

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def size(self, key: str) -> int:
        info = self.stat(key)
        if info is None:
            raise ObjectNotFoundError(self.uri_for(key))
        return info.size

    def sha256(self, key: str) -> str:
        body = self._get(key)["Body"]
        h = hashlib.sha256()
        try:
            for chunk in body.iter_chunks(CHUNK):
                h.update(chunk)
        finally:
            body.close()
        return h.hexdigest()

    def list(self, prefix: str = "") -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=base + prefix):
            for obj in page.get("Contents", ()):
                yield obj["Key"][len(base) :]

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise ValueError(f"invalid byte range start={start} length={length}")
        if length == 0:
            return b""
        try:
            body = self._get(key, Range=f"bytes={start}-{start + length - 1}")["Body"]
        except _aws.ClientError as exc:
            if _error_code(exc) == "InvalidRange" or _status(exc) == 416:
                return b""  # start is past the end, as a file read would return
            raise
        try:
            # Servers that ignore Range send the whole object; never return more than asked.
            data = body.read()
        finally:
            body.close()
        return data[:length] if len(data) > length else data

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._full(key))


def _quiet_aws_loggers() -> None:
    # botocore's DEBUG log carries Authorization headers (access key id, signature) and
    # Scrapy sets the root logger to NOTSET; credentials must never reach a log file, so
    # cap these loggers at WARNING unless someone chose a level for them on purpose.
    for name in ("botocore", "boto3", "s3transfer"):
        log = logging.getLogger(name)
        if log.level == logging.NOTSET:
            log.setLevel(logging.WARNING)


def _content_type(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if name.endswith(".warc.gz") or name.endswith(".warc"):
        return "application/warc"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".cdxj"):
        return "text/plain; charset=utf-8"
    if name.endswith(".gz"):
        return "application/gzip"
    return "application/octet-stream"


# --------------------------------------------------------------------------- registry

StoreFactory = Callable[[str, Any], Store]

#: URI scheme -> factory, like Scrapy's FEED_STORAGES; "" is a plain path.
STORE_SCHEMES: dict[str, StoreFactory] = {
    "": FileStore.from_uri,
    "file": FileStore.from_uri,
    "s3": S3Store.from_uri,
}


def uri_scheme(uri: str) -> str:
    scheme = urlsplit(uri).scheme.lower()
    # "C:\archive" is a Windows path, not a URI with scheme "c".
    return "" if len(scheme) == 1 else scheme


def store_from_uri(uri: str, options: Any = None) -> Store:
    """Build the store for ``uri``; ``options`` is Scrapy settings or any mapping with .get().

    Raises StorageConfigError for an unsupported scheme or a malformed URI.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise StorageConfigError(
            f"storage URI {uri!r} is empty: give a path, file:///abs/path or s3://bucket/prefix"
        )
    scheme = uri_scheme(uri)
    factory = STORE_SCHEMES.get(scheme)
    if factory is None:
        supported = ", ".join(f"{s}://" for s in sorted(STORE_SCHEMES) if s)
        raise StorageConfigError(
            f"storage URI {uri!r} has unsupported scheme {scheme!r}: use a plain path or {supported}"
        )
    return factory(uri, options)


def store_uris(settings: Any) -> dict[str, str]:
    """The configured store URIs by name (warc, json, state, manifests)."""
    return {
        name: str(_opt(settings, f"ARCHIVE_STORAGE_{name.upper()}", default))
        for name, default in DEFAULT_STORES.items()
    }


def check_stores(settings: Any, create_bucket: bool = False) -> dict[str, Store]:
    """Build and probe every configured store; raise StorageConfigError on the first problem."""
    stores: dict[str, Store] = {}
    probed: set[str] = set()
    for name, uri in store_uris(settings).items():
        store = store_from_uri(uri, settings)
        stores[name] = store
        where = store.describe()
        if where in probed:
            continue
        probed.add(where)
        store.check(create=create_bucket)
    return stores


# --------------------------------------------------------------------------- uploader


@dataclass(frozen=True)
class UploaderConfig:
    """How the uploader runs; built from ``ARCHIVE_STORAGE_*`` and ``ARCHIVE_UPLOAD_*``."""

    spool: Path
    stores: Mapping[str, str]
    workers: int = 4
    close_timeout: float = 120.0
    retry_base: float = 1.0
    retry_max: float = 60.0
    create_bucket: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> UploaderConfig:
        def number(name: str, default: float) -> float:
            return float(_opt(settings, name, default))

        create = _opt(settings, "ARCHIVE_STORAGE_CREATE_BUCKET", False)
        if isinstance(create, str):
            create = create.strip().lower() in ("1", "true", "yes", "on")
        return cls(
            spool=Path(str(_opt(settings, "ARCHIVE_STORAGE_SPOOL", DEFAULT_SPOOL))),
            stores=store_uris(settings),
            workers=max(1, int(number("ARCHIVE_UPLOAD_WORKERS", 4))),
            close_timeout=number("ARCHIVE_UPLOAD_CLOSE_TIMEOUT", 120.0),
            retry_base=number("ARCHIVE_UPLOAD_RETRY_BASE", 1.0),
            retry_max=number("ARCHIVE_UPLOAD_RETRY_MAX", 60.0),
            create_bucket=bool(create),
        )


@dataclass(frozen=True)
class ShippedFile:
    """A file of this run: uploaded, or still waiting in the spool."""

    store: str
    key: str
    uri: str
    size: int
    sha256: str
    records: int = 0
    kind: str = ""
    status: str = "uploaded"  # or "pending"

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "key": self.key,
            "uri": self.uri,
            "size": self.size,
            "sha256": self.sha256,
            "records": self.records,
            "kind": self.kind,
            "status": self.status,
        }


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    store: str = field(compare=False)
    key: str = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Uploader:
    """Ships files from ``spool/ready/<store>/<key>`` to ``<store-uri>/<key>`` in threads.

    A file is deleted locally only after the stored copy's size and sha256 match, so a crash,
    a dead store or a timeout at close leave it in the spool for the next run or
    ``newsvault upload``; the key is fixed by the path, so it is never stored twice under two
    names.
    """

    def __init__(
        self,
        config: UploaderConfig,
        *,
        stores: Mapping[str, Store] | None = None,
        store_options: Any = None,
        stats: Any = None,
    ) -> None:
        self.config = config
        self.spool = Path(config.spool)
        self.ready_dir = self.spool / "ready"
        self.meta_dir = self.spool / "meta"
        if stores is None:
            stores = {
                name: store_from_uri(uri, store_options) for name, uri in config.stores.items()
            }
        self.stores: dict[str, Store] = dict(stores)
        self.stats = stats
        self.shipped: list[ShippedFile] = []
        self._cond = threading.Condition()
        self._stats_lock = threading.Lock()
        self._heap: list[_Job] = []
        self._queued: set[tuple[str, str]] = set()
        self._active = 0
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._deadline: float | None = None
        self._close_hooks: list[tuple[int, int, Callable[[Uploader], object]]] = []
        self.started_at: datetime | None = None
        #: "new" until the spider opens, then "running" or "failed" (stores unusable).
        self.state = "new"
        self._lock_file: Any = None

    # -- Scrapy glue -------------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Uploader:
        from scrapy import signals

        uploader = cls(
            UploaderConfig.from_settings(crawler.settings),
            store_options=crawler.settings,
            stats=crawler.stats,
        )
        crawler.signals.connect(uploader._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(uploader._engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(uploader._spider_closed, signal=signals.spider_closed)
        return uploader

    async def _spider_opened(self, spider: Any = None) -> None:
        from scrapy.exceptions import CloseSpider
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            await maybe_deferred_to_future(_in_thread(self.check, self.config.create_bucket))
        except StorageConfigError as exc:
            self.state = "failed"
            logger.error("%s", exc)
            raise CloseSpider("storage_unavailable") from None
        except Exception as exc:  # an S3 error the probe does not know: still fail fast
            self.state = "failed"
            logger.error("Storage check failed: %s: %s", type(exc).__name__, exc)
            raise CloseSpider("storage_unavailable") from None
        self.state = "running"
        pending = self.enqueue_pending()
        if pending:
            logger.info(
                "Uploading %d file(s) left in %s by an earlier run", pending, self.ready_dir
            )
        self.start()

    async def _spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.state == "failed":
            left = self.pending_files()
            if left:
                logger.warning(
                    "Storage unavailable; %d file(s) wait in %s for `newsvault upload`",
                    len(left),
                    self.ready_dir,
                )

    async def _engine_stopped(self) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future

        if self.state == "failed":
            return
        if self.state == "new":
            # Created after spider_opened: nothing was probed or started; ship what we have.
            logger.warning("Uploader started late; uploading everything at close")
            self.enqueue_pending()
        # engine_stopped comes after every spider_closed/close_spider handler, so every
        # producer has submitted its last file by now; stats are still readable.
        await maybe_deferred_to_future(_in_thread(self.finish))

    # -- public API --------------------------------------------------------------

    def add_close_hook(self, hook: Callable[[Uploader], object], *, order: int = 0) -> None:
        """Run ``hook(uploader)`` at close, after the first drain; it may submit more files.

        Hooks run by ascending ``order`` (then registration); the uploads each order's hooks
        submit are drained before the next order runs, so the run manifest (order 1000)
        lists everything, the state database included.
        """
        self._close_hooks.append((order, len(self._close_hooks), hook))

    def check(self, create: bool = False) -> None:
        """Probe the spool and every store once; raise StoreUnavailableError in one line.

        Also takes the spool's lock (until :meth:`stop`): two processes shipping one spool
        could store an older copy of a file over a newer one.
        """
        try:
            probe_writable(self.ready_dir)
        except OSError as exc:
            raise StoreUnavailableError(
                f"cannot write to the spool {self.spool} ({exc.strerror or exc}): "
                "fix its permissions or set storage.spool (ARCHIVE_STORAGE_SPOOL) elsewhere"
            ) from None
        self._lock_spool()
        probed: set[str] = set()
        for store in self.stores.values():
            where = store.describe()
            if where not in probed:
                probed.add(where)
                store.check(create=create)

    def _lock_spool(self) -> None:
        if self._lock_file is not None:
            return
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks
            return
        fh = open(self.spool / "upload.lock", "a+")  # noqa: SIM115 - held until stop()
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreUnavailableError(
                f"the spool {self.spool} is in use by another newsvault process (a crawl or "
                "`newsvault upload`): wait for it to finish or give this run its own storage.spool"
            ) from None
        self._lock_file = fh

    def _unlock_spool(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the flock
            self._lock_file = None

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        with self._cond:
            if self._threads:
                return
            self._stopping = False
            self.started_at = datetime.now(timezone.utc)
            for i in range(self.config.workers):
                t = threading.Thread(target=self._work, name=f"newsvault-upload-{i}", daemon=True)
                self._threads.append(t)
                t.start()

    def ready_path(self, store: str, key: str) -> Path:
        return self.ready_dir / store / Path(*validate_key(key).split("/"))

    def _meta_path(self, store: str, key: str) -> Path:
        # Sidecar with the record count and kind, so a later run can describe a leftover.
        path = self.meta_dir / store / Path(*validate_key(key).split("/"))
        return path.with_name(path.name + ".json")

    def submit(
        self, local_path: Path, store: str, key: str, *, records: int = 0, kind: str = ""
    ) -> Path:
        """Queue a finished file for upload to ``<store>/<key>``; returns its spool path.

        The file is moved to ``spool/ready/<store>/<key>`` unless it is already there. Cheap
        enough for the reactor thread when the file is on the spool's file system.
        """
        if store not in self.stores:
            raise ValueError(f"unknown store {store!r}: one of {', '.join(sorted(self.stores))}")
        target = self.ready_path(store, key)
        # The sidecar goes first: a worker may pick the file up the moment it is in ready/.
        meta = self._meta_path(store, key)
        if records or kind:
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps({"records": records, "kind": kind}))
        src = Path(local_path)
        if src.absolute() != target.absolute():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                logger.warning("Replacing %s, which was still waiting for upload", target)
            try:
                os.replace(src, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.move(str(src), str(target))
        self._enqueue(store, key)
        return target

    def enqueue_pending(self) -> int:
        """Queue every file already in ``spool/ready`` (left by a crash or a dead store)."""
        n = 0
        for store, key in self.pending_files():
            if store not in self.stores:
                logger.warning("Ignoring %s: no store named %r", self.ready_dir / store, store)
                continue
            if self._enqueue(store, key):
                n += 1
        return n

    def pending_files(self) -> list[tuple[str, str]]:
        """(store, key) of every file waiting in ``spool/ready``."""
        found: list[tuple[str, str]] = []
        if not self.ready_dir.is_dir():
            return found
        for store_dir in sorted(p for p in self.ready_dir.iterdir() if p.is_dir()):
            for dirpath, dirnames, filenames in os.walk(store_dir):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.startswith(TMP_PREFIX):
                        continue
                    rel = (Path(dirpath) / name).relative_to(store_dir).as_posix()
                    found.append((store_dir.name, rel))
        return found

    def pending_details(self) -> list[ShippedFile]:
        """The files still in the spool, described like shipped ones with status "pending"."""
        out = []
        for store, key in self.pending_files():
            path = self.ready_path(store, key)
            records, kind = self._read_meta(store, key)
            try:
                size, sha = path.stat().st_size, file_sha256(path)
            except FileNotFoundError:
                continue  # uploaded meanwhile
            uri = self.stores[store].uri_for(key) if store in self.stores else ""
            out.append(ShippedFile(store, key, uri, size, sha, records, kind, "pending"))
        return out

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or uploading; False if ``timeout`` passed first."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._heap or self._active:
                remaining = None if end is None else end - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    def finish(self, timeout: float | None = None) -> list[ShippedFile]:
        """Drain (retrying for at most ``timeout`` s), run close hooks, drain, stop.

        Returns the files left in the spool; they are uploaded by the next run or by
        ``newsvault upload``.
        """
        timeout = self.config.close_timeout if timeout is None else timeout
        self.start()
        self._set_deadline(time.monotonic() + timeout)
        self.drain(timeout)
        # Files submitted by hooks (state, run manifest) get a short extra budget of their own.
        extra = min(max(timeout, 1.0), 30.0)
        hooks = sorted(self._close_hooks, key=lambda h: (h[0], h[1]))
        for order in sorted({h[0] for h in hooks}):
            for _, _, hook in (h for h in hooks if h[0] == order):
                try:
                    hook(self)
                except Exception:
                    logger.exception("Upload close hook %r failed", hook)
            self._set_deadline(max(self._deadline or 0.0, time.monotonic() + extra))
            self.drain(extra)
        self.stop()
        self._prune_empty_dirs(self.ready_dir)
        self._prune_empty_dirs(self.meta_dir)
        pending = self.pending_details()
        self._set_stat("newsvault/upload/pending", len(pending))
        if pending:
            logger.warning(
                "%d file(s) not uploaded; they stay in %s for the next run or `newsvault upload`",
                len(pending),
                self.ready_dir,
            )
        else:
            logger.info("All %d file(s) uploaded", len(self.shipped))
        return pending

    def stop(self, join_timeout: float = 30.0) -> None:
        """Stop the workers after their current upload."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        end = time.monotonic() + join_timeout
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))
        with self._cond:
            self._heap.clear()
            self._queued.clear()
            self._threads = []
        self._unlock_spool()

    # -- internals ---------------------------------------------------------------

    def _set_deadline(self, deadline: float) -> None:
        with self._cond:
            self._deadline = deadline
            self._cond.notify_all()

    def _enqueue(
        self, store: str, key: str, *, due: float | None = None, attempts: int = 0
    ) -> bool:
        with self._cond:
            if (store, key) in self._queued:
                return False
            self._queued.add((store, key))
            job = _Job(time.monotonic() if due is None else due, next(self._seq), store, key)
            job.attempts = attempts
            heapq.heappush(self._heap, job)
            self._cond.notify()
            return True

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._heap and self._deadline is not None and self._heap[0].due > self._deadline:
                    # Past the close budget: leave the rest in the spool.
                    for job in self._heap:
                        self._queued.discard((job.store, job.key))
                        self._inc("newsvault/upload/failures")
                    self._heap.clear()
                    self._cond.notify_all()
                    continue
                if self._heap and self._heap[0].due <= now:
                    self._active += 1
                    return heapq.heappop(self._heap)
                wait = self._heap[0].due - now if self._heap else None
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                return
            ok = False
            try:
                ok = self._upload(job)
            except Exception as exc:
                self._retry(job, exc)
            finally:
                with self._cond:
                    self._active -= 1
                    if ok:
                        self._queued.discard((job.store, job.key))
                    self._cond.notify_all()

    def _retry(self, job: _Job, exc: Exception) -> None:
        job.attempts += 1
        delay = min(self.config.retry_max, self.config.retry_base * 2 ** (job.attempts - 1))
        delay *= random.uniform(0.8, 1.2)
        store = self.stores[job.store]
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(store, S3Store):
            with contextlib.suppress(Exception):
                reason = store.explain(exc)
        # While a store is down every file fails every time: warn on the first failures only.
        level = logging.WARNING if job.attempts <= 2 or job.attempts % 10 == 0 else logging.INFO
        logger.log(
            level,
            "Upload of %s failed (attempt %d), retrying in %.1fs: %s",
            store.uri_for(job.key),
            job.attempts,
            delay,
            reason,
        )
        self._inc("newsvault/upload/retries")
        with self._cond:
            job.due = time.monotonic() + delay
            job.seq = next(self._seq)
            heapq.heappush(self._heap, job)

    def _read_meta(self, store: str, key: str) -> tuple[int, str]:
        try:
            meta = json.loads(self._meta_path(store, key).read_text())
            return int(meta.get("records", 0)), str(meta.get("kind", ""))
        except (OSError, ValueError):
            return 0, ""

    def _upload(self, job: _Job) -> bool:
        store = self.stores[job.store]
        path = self.ready_path(job.store, job.key)
        if not path.exists():
            return True  # shipped by a concurrent `newsvault upload`
        before = path.stat()
        size = before.st_size
        sha = file_sha256(path)
        existing = store.stat(job.key)
        if existing is not None and existing.size == size and existing.sha256 == sha:
            # Uploaded before a crash deleted the local copy: do not upload it again.
            self._inc("newsvault/upload/already_stored")
            logger.info("%s is already stored", store.uri_for(job.key))
        else:
            stored = store.put_file(path, job.key)
            if stored.size != size or stored.sha256 != sha:
                raise UploadVerificationError(
                    f"{store.uri_for(job.key)} changed during upload: fix the producer"
                )
            self._inc("newsvault/upload/files")
            self._inc("newsvault/upload/bytes", size)
        after = path.stat()
        if (after.st_ino, after.st_size, after.st_mtime_ns) != (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            # Replaced by a new submit while uploading: ship the new content too.
            raise UploadVerificationError(f"{path} changed during upload; uploading it again")
        records, kind = self._read_meta(job.store, job.key)
        shipped = ShippedFile(job.store, job.key, store.uri_for(job.key), size, sha, records, kind)
        with self._cond:
            self.shipped.append(shipped)
        path.unlink()
        with contextlib.suppress(OSError):
            self._meta_path(job.store, job.key).unlink()
        # Empty day directories are pruned at finish(), not here: a producer may be
        # creating one of them right now to move its next finished file in.
        logger.debug("Uploaded %s (%d bytes)", shipped.uri, size)
        return True

    @staticmethod
    def _prune_empty_dirs(root: Path) -> None:
        """Remove empty directories below ``root`` (day folders of shipped files)."""
        if not root.is_dir():
            return
        for dirpath, _dirnames, _filenames in sorted(os.walk(root), reverse=True):
            if Path(dirpath) != root:
                with contextlib.suppress(OSError):
                    Path(dirpath).rmdir()

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            with self._stats_lock:
                self.stats.inc_value(key, count)

    def _set_stat(self, key: str, value: Any) -> None:
        if self.stats is not None:
            with self._stats_lock:
                self.stats.set_value(key, value)


def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` in a daemon thread; a Deferred fires on the reactor with its result.

    Not the reactor's thread pool: a forced shutdown (second Ctrl-C) joins that pool and
    would wait out the close timeout; whatever is unfinished stays safely in the spool.
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    d: Deferred[Any] = Deferred()

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:
            failure = Failure(exc)
            reactor.callFromThread(d.errback, failure)  # type: ignore[attr-defined]
        else:
            reactor.callFromThread(d.callback, result)  # type: ignore[attr-defined]

    threading.Thread(target=run, name="newsvault-storage", daemon=True).start()
    return d


_uploaders: weakref.WeakKeyDictionary[Any, Uploader] = weakref.WeakKeyDictionary()


def get_uploader(crawler: Crawler) -> Uploader:
    """The crawl's one Uploader; call it from ``from_crawler`` so it starts with the spider."""
    uploader = _uploaders.get(crawler)
    if uploader is None:
        uploader = Uploader.from_crawler(crawler)
        _uploaders[crawler] = uploader
    return uploader
