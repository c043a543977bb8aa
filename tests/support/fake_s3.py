"""A loopback HTTP server speaking the read side of S3 that `dvc pull` uses, over a folder.

Objects are the files under a root folder: `GET /BUCKET/KEY` (with `Range`), `HEAD /BUCKET/KEY`,
`GET /BUCKET?list-type=2&prefix=...` and `HEAD /BUCKET`, path-style as botocore sends them to
a custom endpoint. Every request must be signed (AWS Signature Version 4) with an access key
the server knows; like AWS, a temporary key (ASIA...) also needs its session token. The
server records who asked for what, so a test can tell which credentials a step used.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

from support.loopback import Loopback, serve

_CREDENTIAL = re.compile(r"^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/")


@dataclass
class FakeS3(Loopback[tuple[str, str, str]]):
    """One bucket over ROOT; KEYS maps an access key id to the session token it needs ("" for none).

    Its requests are (method, path, access key id).
    """

    bucket: str
    root: Path
    keys: dict[str, str] = field(default_factory=dict)


def _handler(s3: FakeS3) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:
            return

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, code: str, message: str) -> None:
            body = f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>".encode()
            self._send(status, body, {"Content-Type": "application/xml"})

        def _authorized(self) -> bool:
            match = _CREDENTIAL.match(self.headers.get("Authorization", ""))
            key = match.group(1) if match else ""
            s3.record((self.command, self.path, key))
            if key not in s3.keys:
                message = f"The AWS Access Key Id {key or '(none)'} does not exist in our records."
                self._error(403, "InvalidAccessKeyId", message)
                return False
            if s3.keys[key] and self.headers.get("X-Amz-Security-Token") != s3.keys[key]:
                self._error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
                return False
            return True

        def _object(self, key: str) -> Path | None:
            path = (s3.root / key).resolve()
            inside = path.is_relative_to(s3.root.resolve())
            return path if inside and path.is_file() else None

        def _list(self, query: dict[str, list[str]]) -> None:
            prefix = query.get("prefix", [""])[0]
            found = sorted(p.relative_to(s3.root).as_posix() for p in s3.root.rglob("*") if p.is_file())
            keys = [key for key in found if key.startswith(prefix)]
            contents = "".join(
                f"<Contents><Key>{escape(key)}</Key><Size>{(s3.root / key).stat().st_size}</Size>"
                f'<ETag>"{hashlib.md5((s3.root / key).read_bytes()).hexdigest()}"</ETag>'  # noqa: S324
                "<LastModified>2026-01-01T00:00:00.000Z</LastModified><StorageClass>STANDARD</StorageClass>"
                "</Contents>"
                for key in keys
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Name>{s3.bucket}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount>"
                f"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
            ).encode()
            self._send(200, body, {"Content-Type": "application/xml"})

        def _read(self) -> None:
            parts = urlsplit(self.path)
            bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
            if bucket != s3.bucket:
                self._error(404, "NoSuchBucket", f"The specified bucket {bucket} does not exist")
                return
            if not key:
                query = parse_qs(parts.query)
                if self.command == "GET" and query.get("list-type") == ["2"]:
                    self._list(query)
                else:
                    self._send(200)
                return
            path = self._object(key)
            if path is None:
                self._error(404, "NoSuchKey", "The specified key does not exist.")
                return
            data = path.read_bytes()
            headers = {
                "Content-Type": "application/octet-stream",
                "ETag": f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324 - S3's ETag
                "Last-Modified": email.utils.formatdate(path.stat().st_mtime, usegmt=True),
                "Accept-Ranges": "bytes",
            }
            status = 200
            ranged = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
            if ranged and self.command == "GET":
                start = int(ranged.group(1))
                end = min(int(ranged.group(2) or len(data) - 1), len(data) - 1)
                headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                data, status = data[start : end + 1], 206
            headers["Content-Length"] = str(len(data))
            self._send(status, data, headers)

        def do_GET(self) -> None:
            if self._authorized():
                self._read()

        def do_HEAD(self) -> None:
            if self._authorized():
                self._read()

        def do_PUT(self) -> None:
            # Read-only: `dvc pull` writes nothing to the remote.
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self._authorized():
                self._error(403, "AccessDenied", "This fake bucket is read-only.")

    return Handler


@contextmanager
def serve_s3(s3: FakeS3) -> Iterator[FakeS3]:
    """Serve S3 on 127.0.0.1 on a free port, in a thread, for the duration of the block."""
    with serve(s3, _handler(s3)):
        yield s3
