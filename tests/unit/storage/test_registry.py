"""Stores by URI scheme: which store a URI builds, and the one-line errors of bad URIs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines.storage import FileStore, S3Store, StorageConfigError, store_from_uri


class TestStoreFromUri:
    def test_plain_paths_and_file_uris(self, tmp_path: Path) -> None:
        for uri in (
            str(tmp_path / "a"),
            (tmp_path / "a").as_uri(),
            f"file://localhost{tmp_path}/a",
        ):
            store = store_from_uri(uri)
            assert isinstance(store, FileStore)
            assert store.root == tmp_path / "a"

    def test_relative_path_is_made_absolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        store = store_from_uri("archive/warc")
        assert isinstance(store, FileStore)
        assert store.root == tmp_path / "archive" / "warc"

    def test_s3_uri(self) -> None:
        store = store_from_uri("s3://my-bucket/some/prefix", {"AWS_REGION_NAME": "eu-west-1"})
        assert isinstance(store, S3Store)
        assert (store.bucket, store.prefix) == ("my-bucket", "some/prefix")
        assert store.describe() == "s3://my-bucket/some/prefix"

    def test_custom_endpoint_defaults_to_path_addressing(self) -> None:
        store = store_from_uri("s3://b", {"AWS_ENDPOINT_URL": "http://127.0.0.1:8333"})
        assert isinstance(store, S3Store)
        assert store.addressing_style == "path"
        virtual = store_from_uri(
            "s3://b",
            {"AWS_ENDPOINT_URL": "https://s3.example", "ARCHIVE_S3_ADDRESSING_STYLE": "virtual"},
        )
        assert isinstance(virtual, S3Store)
        assert virtual.addressing_style == "virtual"

    @pytest.mark.parametrize(
        ("uri", "fragment"),
        [
            ("ftp://host/dir", "unsupported scheme 'ftp'"),
            ("gs://bucket/x", "unsupported scheme 'gs'"),
            ("s3://", "s3://bucket/prefix"),
            ("s3:///no-bucket", "s3://bucket/prefix"),
            ("s3://bucket/p?x=1", "s3://bucket/prefix"),
            ("file://otherhost/data", "file:///absolute/path"),
            ("", "empty"),
        ],
    )
    def test_bad_uris_name_the_uri_and_the_fix(self, uri: str, fragment: str) -> None:
        with pytest.raises(StorageConfigError) as info:
            store_from_uri(uri)
        assert fragment in str(info.value)
        assert "\n" not in str(info.value)

    def test_credentials_in_uri_are_refused_and_not_echoed(self) -> None:
        with pytest.raises(StorageConfigError) as info:
            store_from_uri("s3://AKIAXXXX:supersecret@bucket/prefix")
        assert "supersecret" not in str(info.value)
        assert "AKIAXXXX" not in str(info.value)
        assert "AWS_PROFILE" in str(info.value)

    def test_bad_addressing_style(self) -> None:
        with pytest.raises(StorageConfigError, match="auto, path or virtual"):
            store_from_uri("s3://b/p", {"ARCHIVE_S3_ADDRESSING_STYLE": "sideways"})

    def test_bad_endpoint(self) -> None:
        with pytest.raises(StorageConfigError, match="AWS_ENDPOINT_URL"):
            store_from_uri("s3://b/p", {"AWS_ENDPOINT_URL": "127.0.0.1:8333"})


def test_local_stores_never_load_boto3(tmp_path: Path) -> None:
    """boto3 costs every crawl 7 MB and start-up time; only s3:// URIs load it."""
    code = textwrap.dedent(
        f"""
        import sys
        from pipelines.storage import check_stores, store_from_uri
        store = store_from_uri({str(tmp_path / "a")!r})
        store.put_bytes(b"x", "k")
        check_stores({{"ARCHIVE_STORAGE_WARC": {str(tmp_path / "w")!r}}})
        assert "boto3" not in sys.modules and "botocore" not in sys.modules, "loaded"
        store_from_uri("s3://bucket/prefix")
        assert "boto3" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr


def test_store_uris_default_to_the_one_table_of_defaults() -> None:
    from crawler.config import DEFAULT_SETTINGS
    from pipelines.storage import DEFAULT_STORES, store_uris

    expected = {
        name: DEFAULT_SETTINGS[f"ARCHIVE_STORAGE_{name.upper()}"]
        for name in ("warc", "json", "state", "manifests")
    }
    assert store_uris({}) == expected == dict(DEFAULT_STORES)
    assert store_uris({"ARCHIVE_STORAGE_WARC": "s3://b/w"})["warc"] == "s3://b/w"
