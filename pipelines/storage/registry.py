"""Stores by URI scheme, like Scrapy's ``FEED_STORAGES``; the configured stores of a crawl."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from crawler.config import DEFAULT_SETTINGS
from pipelines.storage.base import StorageConfigError, Store, option
from pipelines.storage.file import FileStore
from pipelines.storage.s3 import S3Store

#: The stores every crawl ships to; store ``NAME`` is configured by ``ARCHIVE_STORAGE_NAME``.
STORE_NAMES = ("warc", "json", "state", "manifests")
#: Their default URIs (relative paths: local directories), from the one table of defaults.
DEFAULT_STORES: Mapping[str, str] = types.MappingProxyType(
    {name: DEFAULT_SETTINGS[f"ARCHIVE_STORAGE_{name.upper()}"] for name in STORE_NAMES}
)
#: The default local staging directory, from the one table of defaults.
DEFAULT_SPOOL: str = DEFAULT_SETTINGS["ARCHIVE_STORAGE_SPOOL"]

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
    return {name: str(option(settings, f"ARCHIVE_STORAGE_{name.upper()}")) for name in STORE_NAMES}


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
