"""The skeleton the loopback fakes of remote APIs share (tests/support/fake_github.py, fake_s3.py).

A fake is a dataclass deriving from `Loopback` (its URL once served, the requests it saw,
the lock its handler threads share) and a request handler answering from it; `serve` runs
that handler on 127.0.0.1 on a free port, in a thread, for a `with` block.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

Request = TypeVar("Request")
Fake = TypeVar("Fake", bound="Loopback[Any]")


@dataclass
class Loopback(Generic[Request]):
    """What every fake server keeps: its base URL while served, the requests seen, a lock for both."""

    _: KW_ONLY
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request) -> None:
        """Add REQUEST to the log (handlers run in threads of their own)."""
        with self.lock:
            self.requests.append(request)


@contextmanager
def serve(fake: Fake, handler: type[BaseHTTPRequestHandler]) -> Iterator[Fake]:
    """Serve HANDLER (answering for FAKE) on 127.0.0.1 on a free port, in a thread, for the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
