"""A hostile S3 endpoint echoes the request's headers in its error body: nothing secret is printed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

import pytest

from pipelines.storage.base import StoreUnavailableError, scrub_secrets
from pipelines.storage.s3 import S3Store

KEY_ID = "AKIAHOSTILETEST12345"
SECRET = "hostileSecretKey/0123456789abcdefghijKLMN"
TOKEN = "FwoGZXIvYXdzEHostileSessionToken0123456789abcdefXYZ"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every request with an S3 error whose message is the request's headers."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _echo(self) -> None:
        echoed = "; ".join(f"{name}: {value}" for name, value in self.headers.items())
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidRequest</Code>"
            f"<Message>bad request, you sent {escape(echoed)}\nand a second line</Message>"
            f"<RequestId>{escape(self.path)}</RequestId></Error>"
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_HEAD = do_POST = _echo


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_store_error_from_an_echoing_endpoint_carries_no_secret(endpoint: str) -> None:
    store = S3Store("bucket", "prefix", endpoint_url=endpoint, region="us-east-1")
    with pytest.raises(StoreUnavailableError) as info:
        store.check()
    message = str(info.value)
    assert "InvalidRequest" in message and "s3://bucket/prefix" in message
    assert "\n" not in message
    for secret in (KEY_ID, SECRET, TOKEN, "Signature=", "Credential=AKIA"):
        assert secret not in message, message
    assert len(message) <= 400  # an error body is not ours to print in full


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/s3",
        "https://b.s3.example/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F2026&X-Amz-Signature=ab12",
        "x-amz-security-token: IQoJb3JpZ2luX2VjEHostile",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "key ASIAIOSFODNN7EXAMPLE was refused",
    ],
)
def test_scrub_secrets_patterns(text: str) -> None:
    out = scrub_secrets(text)
    for secret in ("AKIAIOSFODNN7EXAMPLE", "ab12", "IQoJb3", "wJalrXUtnFEMI", "ASIAIOSF"):
        assert secret not in out, out
