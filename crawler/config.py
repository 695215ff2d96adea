"""archive_config.yaml -> frozen dataclasses and settings; one concern: the operator's config, validated with one-line errors naming key and line."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import posixpath
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union
from urllib.parse import urlsplit

import yaml

DEFAULT_CONFIG_FILE = "archive_config.yaml"
CONFIG_ENV = "NEWSVAULT_CONFIG"
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(ValueError):
    """A problem in the operator's config, as one sentence naming file, key, line and fix."""


@dataclass(frozen=True)
class S3Options:
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str = "auto"


@dataclass(frozen=True)
class StorageConfig:
    warc: str = "archive/warc"
    json: str = "archive/json"
    #: None: a sibling of ``warc`` (archive/warc -> archive/state, s3://b/x/warc -> s3://b/x/state)
    state: str | None = None
    manifests: str | None = None
    #: None: a directory of this archive's own under .newsvault/ (see default_spool), and
    #: of each worker's own in a distributed crawl
    spool: str | None = None
    s3: S3Options = field(default_factory=S3Options)

    @property
    def state_uri(self) -> str:
        return self.state or sibling_uri(self.warc, "state")

    @property
    def manifests_uri(self) -> str:
        return self.manifests or sibling_uri(self.warc, "manifests")

    @property
    def spool_dir(self) -> str:
        return self.spool or default_spool(self.warc)

    def worker_spool_dir(self, worker_id: str) -> str:
        """The spool of one worker of a distributed crawl: ``storage.spool`` if set."""
        return self.spool or default_spool(self.warc, worker_id)


def sibling_uri(uri: str, name: str) -> str:
    """``name`` beside the last path segment of ``uri``: archive/warc -> archive/NAME."""
    parts = urlsplit(uri)
    scheme = parts.scheme if len(parts.scheme) > 1 else ""
    path = (parts.path if scheme else uri).rstrip("/")
    parent = posixpath.dirname(path) if "/" in path else ""
    if scheme and not parent.strip("/"):
        parent = "/" if path.startswith("/") else ""  # s3://bucket/warc -> s3://bucket/NAME
    sibling = posixpath.join(parent, name) if parent else name
    if not scheme:
        return sibling
    return f"{scheme}://{parts.netloc}{sibling if sibling.startswith('/') else '/' + sibling}"


def default_spool(warc_uri: str, worker_id: str = "") -> str:
    """The local spool of the archive at ``warc_uri``: two archives never share one, nor two
    workers of a distributed crawl (``.newsvault/spool-HASH~WORKER``)."""
    digest = hashlib.sha256(warc_uri.rstrip("/").encode("utf-8")).hexdigest()[:12]
    return f".newsvault/spool-{digest}~{worker_id}" if worker_id else f".newsvault/spool-{digest}"


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = "newsvault/0.1 (+https://example.org/newsvault-contact; archive crawler)"
    obey_robots: bool = True
    concurrency_per_domain: int = 4
    concurrency: int = 32
    download_delay: float = 0.5
    autothrottle: bool = True
    max_pages: int = 0
    max_page_mb: float = 32.0
    depth_limit: int = 3
    allow_private_networks: bool = False
    max_crawl_delay: float = 30.0
    #: pages fetched per article, its first page and comment pages included (1: none further)
    max_article_pages: int = 20
    #: Scrapy's JOBDIR: a stopped crawl resumes from here (None: no resume)
    jobdir: str | None = None
    redis_url: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    article_urls: tuple[str, ...] = ()
    max_age_days: int | None = None
    depth: int | None = None


@dataclass(frozen=True)
class ExtractionConfig:
    #: False: archive-only (WARC, CDXJ, state, manifests; no article JSON, no extraction pool)
    enabled: bool = True
    comments: bool = True
    workers: int = 0
    timeout: float = 30.0
    favor: str = "balanced"
    include_tables: bool = True
    max_html_mb: float = 8.0
    max_worker_mb: float = 1024.0


@dataclass(frozen=True)
class WarcConfig:
    prefix: str = "newsvault"
    max_file_mb: float = 1000.0
    digest: str = "sha1"
    operator: str = ""


@dataclass(frozen=True)
class JsonConfig:
    max_file_mb: float = 256.0
    max_records: int = 50000


@dataclass(frozen=True)
class IncrementalConfig:
    enabled: bool = True
    revisit_days: int = 0


@dataclass(frozen=True)
class ArchiveConfig:
    storage: StorageConfig = field(default_factory=StorageConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    sources: tuple[Source, ...] = ()
    extraction: ExtractionConfig = field(default_factory=ExtractionConfig)
    warc: WarcConfig = field(default_factory=WarcConfig)
    json: JsonConfig = field(default_factory=JsonConfig)
    incremental: IncrementalConfig = field(default_factory=IncrementalConfig)
    path: str = field(default="", compare=False)

    @property
    def config_hash(self) -> str:
        """A short digest of the effective settings (not of comments or key order)."""
        data = dataclasses.asdict(self)
        data.pop("path", None)
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


#: The WARC digest algorithms newsvault writes (checked here and by the WARC writer for `-s`).
WARC_DIGESTS = ("sha1", "sha256")

# Keys accepted as spelled in YAML but not dataclass fields of the same name.
_ENUMS: dict[str, tuple[str, ...]] = {
    "storage.s3.addressing_style": ("auto", "path", "virtual"),
    "extraction.favor": ("balanced", "precision", "recall"),
    "warc.digest": WARC_DIGESTS,
}
_STORE_URI_KEYS = {"warc", "json", "state", "manifests"}
_HTTP_URL_KEYS = {"start_urls", "feeds", "sitemaps"}
_REGEX_KEYS = {"allow", "deny", "article_urls"}
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: The range of every numeric key: (lowest, highest, why). A value outside it is refused
#: at start-up; ``concurrency_per_domain: 0`` would otherwise hang the crawl forever.
_RANGES: dict[str, tuple[float, float, str]] = {
    "crawl.concurrency": (1, 10_000, "requests in flight"),
    "crawl.concurrency_per_domain": (1, 1_000, "requests in flight per site"),
    "crawl.download_delay": (0, 3_600, "seconds between requests to a site"),
    "crawl.max_crawl_delay": (0, 3_600, "seconds; 0 ignores robots.txt Crawl-delay"),
    "crawl.max_pages": (0, 10**9, "0 means no limit"),
    "crawl.max_page_mb": (0.001, 4_096, "megabytes"),
    "crawl.depth_limit": (0, 1_000, "0 means no limit"),
    "crawl.max_article_pages": (1, 1_000, "pages per article; 1 follows no further pages"),
    "sources.max_age_days": (0, 36_500, "days"),
    "sources.depth": (0, 1_000, "link hops"),
    "extraction.workers": (0, 256, "0 means one per core"),
    "extraction.timeout": (0.1, 3_600, "seconds"),
    "extraction.max_html_mb": (0.001, 1_024, "megabytes"),
    "extraction.max_worker_mb": (256, 1_048_576, "megabytes"),
    "warc.max_file_mb": (0.001, 1_048_576, "megabytes"),
    "json.max_file_mb": (0.001, 1_048_576, "megabytes"),
    "json.max_records": (1, 10**9, "articles per file"),
    "incremental.revisit_days": (0, 36_500, "days"),
}


class _TagError(Exception):
    def __init__(self, mark: Any, tag: str) -> None:
        super().__init__(tag)
        self.mark = mark
        self.tag = tag


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses every explicit tag (``!!python/...``, ``!!str``, ``!custom``).

    A plain config file never needs one; refusing them all keeps the error one line
    and leaves nothing for a copied-in snippet to smuggle through.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise _TagError(event.start_mark, tag)
        return super().compose_node(parent, index)


def resolve_config_path(
    explicit: str | os.PathLike[str] | None = None, setting: str | None = None
) -> Path:
    """The config file, the one way every entry point finds it.

    An explicit path (``--config``), then ``$NEWSVAULT_CONFIG``, then the
    ``NEWSVAULT_CONFIG`` Scrapy setting, then ``./archive_config.yaml``.
    """
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    if setting:
        return Path(setting)
    return Path(DEFAULT_CONFIG_FILE)


def load_config(path: str | os.PathLike[str] | None = None) -> ArchiveConfig:
    """Read and validate a config file; raise ConfigError with a one-line message."""
    p = resolve_config_path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{p}: config file not found; create it (see README 'Configuration') "
            f"or point {CONFIG_ENV} / --config at an existing file"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config file ({exc.strerror})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{p}: config file is larger than 1 MiB; is this the right file?")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    cfg = parse_config(text, str(p))
    return dataclasses.replace(cfg, path=str(p))


def require_sources(cfg: ArchiveConfig) -> None:
    """A crawl needs something to fetch: raise ConfigError unless a source is configured."""
    where = cfg.path or DEFAULT_CONFIG_FILE
    if not cfg.sources:
        raise ConfigError(
            f"{where}: sources: no sources configured; add at least one under 'sources:' "
            "with a name and start_urls, feeds or sitemaps (see README 'Configuration')"
        )
    for i, source in enumerate(cfg.sources):
        if not (source.start_urls or source.feeds or source.sitemaps):
            raise ConfigError(
                f"{where}: sources[{i}] ({source.name}): nothing to fetch; "
                "give it start_urls, feeds or sitemaps"
            )


def parse_config(text: str, filename: str = DEFAULT_CONFIG_FILE) -> ArchiveConfig:
    """Validate YAML text into an ArchiveConfig."""
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except _TagError as exc:
        raise ConfigError(
            f"{filename}:{exc.mark.line + 1}: YAML tags like {exc.tag!r} are not allowed; "
            "write the plain value"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{filename}{where}: invalid YAML: {problem}") from None
    if node is None:
        return ArchiveConfig()
    builder = _Builder(filename)
    data = builder.value(node, "")
    if not isinstance(data, dict):
        raise ConfigError(
            f"{filename}:{node.start_mark.line + 1}: the top level must be a mapping "
            "of sections (storage, crawl, sources, ...)"
        )
    cfg = builder.build(ArchiveConfig, data, node, "")
    names = [s.name for s in cfg.sources]
    for i, name in enumerate(names):
        if name in names[:i]:
            line = builder.line_of(node, f"sources[{i}].name")
            raise ConfigError(
                f"{filename}:{line}: sources[{i}].name: {name!r} is used twice; "
                "give each source a unique name"
            )
    return cfg


class _Builder:
    """Walks the composed YAML node tree so every error can cite a line number."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self._constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, key: str, message: str) -> typing.NoReturn:
        raise ConfigError(f"{self.filename}:{node.start_mark.line + 1}: {key}: {message}")

    def value(self, node: yaml.Node, key: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for k_node, v_node in node.value:
                if not isinstance(k_node, yaml.ScalarNode):
                    self.fail(k_node, key or "(top level)", "keys must be plain names")
                name = str(k_node.value)
                if name in out:
                    first = out[name][0].start_mark.line + 1
                    self.fail(
                        k_node,
                        f"{key}.{name}" if key else name,
                        f"given twice (lines {first} and {k_node.start_mark.line + 1}); keep one",
                    )
                out[name] = (k_node, v_node)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [(item, item) for item in node.value]
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.fail(node, key, f"cannot read value ({exc})")

    def line_of(self, root: yaml.Node, dotted: str) -> int:
        node = root
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
            if part.startswith("["):
                node = node.value[int(part[1:-1])]
            else:
                node = next(v for k, v in node.value if k.value == part)
        return node.start_mark.line + 1

    def build(self, cls: type, data: dict[str, Any], node: yaml.Node, prefix: str) -> Any:
        hints = typing.get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls) if f.name != "path"}
        kwargs: dict[str, Any] = {}
        for name, (k_node, v_node) in data.items():
            key = f"{prefix}{name}"
            if name not in known:
                close = _closest(name, known)
                hint = f"did you mean {close!r}?" if close else f"expected one of {sorted(known)}"
                self.fail(k_node, key, f"unknown key; {hint}")
            kwargs[name] = self.convert(hints[name], v_node, key)
        for f in dataclasses.fields(cls):
            if (
                f.name not in kwargs
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            ):
                self.fail(node, f"{prefix}{f.name}", "is required")
        return cls(**kwargs)

    def convert(self, tp: Any, node: yaml.Node, key: str) -> Any:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (Union, types.UnionType) and type(None) in args:
            if isinstance(node, yaml.ScalarNode) and self.value(node, key) is None:
                return None
            inner = next(a for a in args if a is not type(None))
            return self.convert(inner, node, key)
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if not isinstance(node, yaml.MappingNode):
                self.fail(node, key, "expected a mapping of keys (key: value lines)")
            return self.build(tp, self.value(node, key), node, f"{key}.")
        if origin is tuple:
            inner = args[0]
            if isinstance(node, yaml.ScalarNode) and inner is str:
                value = self.value(node, key)
                if value is None:
                    return ()
                if isinstance(value, str):  # a single URL or pattern is a list of one
                    return (self.check_scalar(str, node, key, value),)
            if not isinstance(node, yaml.SequenceNode):
                self.fail(node, key, "expected a list (lines starting with '- ')")
            return tuple(
                self.convert(inner, item, f"{key}[{i}]") for i, item in enumerate(node.value)
            )
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, key, f"expected a single {_type_name(tp)}, not a list or mapping")
        return self.check_scalar(tp, node, key, self.value(node, key))

    def check_scalar(self, tp: Any, node: yaml.Node, key: str, value: Any) -> Any:
        if tp is bool:
            if not isinstance(value, bool):
                self.fail(node, key, f"expected true or false, got {value!r}")
        elif tp is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(node, key, f"expected a whole number, got {value!r}")
            if value < 0:
                self.fail(node, key, f"expected a number >= 0, got {value!r}")
        elif tp is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(node, key, f"expected a number, got {value!r}")
            if value < 0:
                self.fail(node, key, f"expected a number >= 0, got {value!r}")
            value = float(value)
        elif tp is str:
            if not isinstance(value, str):
                self.fail(node, key, f"expected text, got {value!r} (quote it if it is text)")
        self.check_semantics(node, key, value)
        return value

    def check_semantics(self, node: yaml.Node, key: str, value: Any) -> None:
        generic = re.sub(r"\[\d+\]", "", key)
        leaf = generic.rsplit(".", 1)[-1]
        if generic in _ENUMS and value not in _ENUMS[generic]:
            self.fail(node, key, f"expected one of {', '.join(_ENUMS[generic])}, got {value!r}")
        if generic.startswith("storage.") and leaf in _STORE_URI_KEYS | {"spool"}:
            problem = store_uri_problem(value, local_only=leaf == "spool")
            if problem:
                self.fail(node, key, problem)
        if generic == "storage.s3.endpoint_url" and value is not None:
            if http_url_problem(value):
                self.fail(node, key, f"{value!r} is not an http(s) URL like http://127.0.0.1:8333")
        if generic.startswith("sources.") and leaf in _HTTP_URL_KEYS:
            problem = http_url_problem(value)
            if problem:
                self.fail(node, key, problem)
        if generic.startswith("sources.") and leaf in _REGEX_KEYS:
            try:
                re.compile(value)
            except re.error as exc:
                self.fail(node, key, f"invalid regular expression {value!r}: {exc}")
        if generic == "sources.name" and not _SOURCE_NAME.match(value):
            self.fail(node, key, f"{value!r} must be 1-64 letters, digits, '.', '_' or '-'")
        if generic == "crawl.redis_url" and value is not None:
            problem = redis_url_problem(value)
            if problem:
                self.fail(node, key, problem)
        if generic == "crawl.user_agent" and not value.strip():
            self.fail(node, key, "must not be empty; name your crawler and a contact URL")
        if generic == "warc.prefix" and not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", value):
            self.fail(node, key, f"{value!r} must be letters, digits, '.', '_' or '-'")
        if generic in _RANGES and isinstance(value, (int, float)):
            low, high, unit = _RANGES[generic]
            if not low <= value <= high:
                self.fail(
                    node, key, f"{value!r} is out of range; give {low:g} to {high:g} ({unit})"
                )


def http_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL, or None."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{value!r} is not an absolute http(s) URL; write it like https://example.com/news/"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"{value!r} has an invalid port"
    return None


def redis_url_problem(value: str) -> str | None:
    """Why `value` is not a Redis/Valkey URL (redis://, rediss://, unix://), or None."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        return f"{value!r} is not a Redis URL; write it like redis://127.0.0.1:6379/0"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"{value!r} has an invalid port"
    return None


def store_uri_problem(value: str, *, local_only: bool = False) -> str | None:
    """Why `value` is not a store URI (plain path, file://, s3://bucket/prefix), or None."""
    if not value.strip():
        return "must not be empty; give a path, file:///path or s3://bucket/prefix"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter, not a scheme
        scheme = ""
    if scheme in ("", "file"):
        if scheme == "file" and parts.netloc not in ("", "localhost"):
            return f"{value!r}: file URIs take an absolute path, like file:///srv/archive"
        return None
    if local_only:
        return f"{value!r} must be a local directory path"
    if scheme == "s3":
        if not re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", parts.netloc):
            return f"{value!r}: {parts.netloc!r} is not a valid S3 bucket name"
        return None
    return f"{value!r}: unsupported storage scheme {scheme!r}; use a path, file:// or s3://"


def _type_name(tp: Any) -> str:
    return {str: "text value", int: "whole number", float: "number", bool: "true/false"}.get(
        tp, "value"
    )


def _closest(name: str, options: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return match[0] if match else None


def to_settings(cfg: ArchiveConfig) -> dict[str, Any]:
    """The Scrapy settings that a config stands for (applied by the add-on)."""
    st, cr, ex, wa, js, inc = (
        cfg.storage,
        cfg.crawl,
        cfg.extraction,
        cfg.warc,
        cfg.json,
        cfg.incremental,
    )
    settings: dict[str, Any] = {
        "ARCHIVE_CONFIG_PATH": cfg.path,
        "ARCHIVE_CONFIG_HASH": cfg.config_hash,
        "ARCHIVE_STORAGE_WARC": st.warc,
        "ARCHIVE_STORAGE_JSON": st.json,
        "ARCHIVE_STORAGE_STATE": st.state_uri,
        "ARCHIVE_STORAGE_MANIFESTS": st.manifests_uri,
        "ARCHIVE_STORAGE_SPOOL": st.spool_dir,
        "ARCHIVE_S3_ADDRESSING_STYLE": st.s3.addressing_style,
        "USER_AGENT": cr.user_agent,
        "ROBOTSTXT_OBEY": cr.obey_robots,
        "CONCURRENT_REQUESTS": cr.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": cr.concurrency_per_domain,
        "DOWNLOAD_DELAY": cr.download_delay,
        "AUTOTHROTTLE_ENABLED": cr.autothrottle,
        "CLOSESPIDER_PAGECOUNT": cr.max_pages,
        "DOWNLOAD_MAXSIZE": int(cr.max_page_mb * 1024 * 1024),
        "ARCHIVE_MAX_PAGE_BYTES": int(cr.max_page_mb * 1024 * 1024),
        "DOWNLOAD_WARNSIZE": int(cr.max_page_mb * 1024 * 1024 / 2),
        "DEPTH_LIMIT": cr.depth_limit,
        "ARCHIVE_ALLOW_PRIVATE_NETWORKS": cr.allow_private_networks,
        "ARCHIVE_ROBOTS_MAX_CRAWL_DELAY": cr.max_crawl_delay,
        "ARCHIVE_MAX_ARTICLE_PAGES": cr.max_article_pages,
        "ARCHIVE_REDIS_URL": cr.redis_url or "",
        "ARCHIVE_SOURCES": list(cfg.sources),
        "ARCHIVE_EXTRACTION_ENABLED": ex.enabled,
        "ARCHIVE_EXTRACTION_COMMENTS": ex.comments,
        "ARCHIVE_EXTRACTION_WORKERS": ex.workers,
        "ARCHIVE_EXTRACTION_TIMEOUT": ex.timeout,
        "ARCHIVE_EXTRACTION_FAVOR": ex.favor,
        "ARCHIVE_EXTRACTION_INCLUDE_TABLES": ex.include_tables,
        "ARCHIVE_EXTRACTION_MAX_HTML_MB": ex.max_html_mb,
        "ARCHIVE_EXTRACTION_MAX_WORKER_MB": ex.max_worker_mb,
        "ARCHIVE_WARC_PREFIX": wa.prefix,
        "ARCHIVE_WARC_MAX_FILE_MB": wa.max_file_mb,
        "ARCHIVE_WARC_DIGEST": wa.digest,
        "ARCHIVE_WARC_OPERATOR": wa.operator,
        "ARCHIVE_JSON_MAX_FILE_MB": js.max_file_mb,
        "ARCHIVE_JSON_MAX_RECORDS": js.max_records,
        "ARCHIVE_INCREMENTAL_ENABLED": inc.enabled,
        "ARCHIVE_INCREMENTAL_REVISIT_DAYS": inc.revisit_days,
    }
    if cr.jobdir:
        settings["JOBDIR"] = cr.jobdir
    if st.s3.endpoint_url:
        settings["AWS_ENDPOINT_URL"] = st.s3.endpoint_url
    if st.s3.region:
        settings["AWS_REGION_NAME"] = st.s3.region
    return settings


#: Settings newsvault reads that have no key in archive_config.yaml (tuning and switches).
TUNING_SETTINGS: dict[str, Any] = {
    "ARCHIVE_WARC_ENABLED": True,
    "ARCHIVE_JSON_ENABLED": True,
    "ARCHIVE_MANIFEST_ENABLED": True,
    "ARCHIVE_CAPTURE_INDEX_ENABLED": True,
    "ARCHIVE_WARC_REVISIT_MIN_BYTES": 256,  # Heritrix leaves tiny payloads alone too
    "ARCHIVE_UPLOAD_WORKERS": 4,
    "ARCHIVE_UPLOAD_CLOSE_TIMEOUT": 120.0,
    "ARCHIVE_UPLOAD_RETRY_BASE": 1.0,
    "ARCHIVE_UPLOAD_RETRY_MAX": 60.0,
    "ARCHIVE_STORAGE_CREATE_BUCKET": False,
    "ARCHIVE_S3_MULTIPART_THRESHOLD": 64 * 1024 * 1024,
    "ARCHIVE_S3_MULTIPART_CHUNKSIZE": 64 * 1024 * 1024,
    "ARCHIVE_PRIVATE_NETWORK_CACHE_SIZE": 10_000,
    "ARCHIVE_PRIVATE_NETWORK_CACHE_TTL": 300.0,
    # A crawl whose share of failed fetches (4xx/5xx, network errors) passes this is partial.
    "ARCHIVE_MAX_ERROR_SHARE": 0.5,
    # Seconds between progress lines in the log when stderr is not a terminal (0: none).
    "ARCHIVE_PROGRESS_INTERVAL": 60.0,
    # Seconds between handing the crawl process's freed heap pages back to the OS (0: never).
    "ARCHIVE_HEAP_TRIM_INTERVAL": 30.0,
    # Distributed crawls (crawl.redis_url): see crawler/distributed/.
    "ARCHIVE_WORKER_ID": "",
    "ARCHIVE_REDIS_PREFIX": "newsvault",
    "ARCHIVE_REDIS_LEASE": 60.0,  # seconds a fetched request stays leased without a heartbeat
    "ARCHIVE_REDIS_RUN_TTL": 7 * 24 * 3600,  # seconds a run's keys outlive its last worker
    "ARCHIVE_REDIS_BACKOFF_MAX": 30.0,  # longest pause between retries while Redis is down
}


def _default_settings() -> dict[str, Any]:
    settings = to_settings(ArchiveConfig())
    for name in ("ARCHIVE_CONFIG_PATH", "ARCHIVE_CONFIG_HASH"):
        settings.pop(name)
    return {**settings, **TUNING_SETTINGS}


#: The one table of defaults: every ``ARCHIVE_*`` (and mapped Scrapy) setting newsvault
#: reads, as an empty config file gives them. Components fall back to these, never to a
#: literal of their own.
DEFAULT_SETTINGS: types.MappingProxyType[str, Any] = types.MappingProxyType(_default_settings())


def settings_value(settings: Any, name: str) -> Any:
    """``name`` from Scrapy settings (or any mapping), else its entry in DEFAULT_SETTINGS."""
    value = settings.get(name) if settings is not None else None
    return DEFAULT_SETTINGS[name] if value is None or value == "" else value
