"""Object stores by URI scheme (plain path, file://, s3://) and the background uploader."""

from __future__ import annotations

from pipelines.storage.base import (
    CHUNK,
    MB,
    TMP_PREFIX,
    ObjectNotFoundError,
    StorageConfigError,
    StorageError,
    Store,
    StoredObject,
    StoreUnavailableError,
    UploadVerificationError,
    file_sha256,
    probe_writable,
    validate_key,
)
from pipelines.storage.extension import UploadExtension, uploader_of
from pipelines.storage.file import FileStore
from pipelines.storage.registry import (
    DEFAULT_SPOOL,
    DEFAULT_STORES,
    STORE_NAMES,
    STORE_SCHEMES,
    StoreFactory,
    check_stores,
    store_from_uri,
    store_uris,
    uri_scheme,
)
from pipelines.storage.s3 import S3Store
from pipelines.storage.uploader import ShippedFile, Uploader, UploaderConfig

__all__ = [
    "CHUNK",
    "DEFAULT_SPOOL",
    "DEFAULT_STORES",
    "MB",
    "STORE_NAMES",
    "STORE_SCHEMES",
    "TMP_PREFIX",
    "FileStore",
    "ObjectNotFoundError",
    "S3Store",
    "ShippedFile",
    "StorageConfigError",
    "StorageError",
    "Store",
    "StoreFactory",
    "StoreUnavailableError",
    "StoredObject",
    "UploadExtension",
    "UploadVerificationError",
    "Uploader",
    "UploaderConfig",
    "check_stores",
    "file_sha256",
    "probe_writable",
    "store_from_uri",
    "store_uris",
    "uploader_of",
    "uri_scheme",
    "validate_key",
]
