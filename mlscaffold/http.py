"""Every HTTP request of mlscaffold, through one `requests.Session` with timeouts and retries.

Retried: connection errors and timeouts, 5xx answers, and rate-limit answers
(429, or 403 with `retry-after` or an exhausted `x-ratelimit-remaining`).
The wait honours `retry-after` (seconds) or `x-ratelimit-reset` (epoch
seconds), else backs off exponentially; every wait is capped by `max_delay`,
and the clock and sleep are injectable so tests never wait for real.

A hostile or broken server cannot hold a command: one overall deadline covers
every attempt, wait and byte of every request of a client (a server that
trickles bytes or stalls its headers is abandoned when it passes), and a body
larger than `max_bytes` is refused while it streams, before it fills memory.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlscaffold.errors import NetworkError

if TYPE_CHECKING:
    import requests

__all__ = ["DEFAULT_DEADLINE", "MAX_RESPONSE_BYTES", "HttpClient", "Response", "RetryPolicy", "retry_delay"]

# (connect, read) seconds: a dead host fails fast, a slow API still answers.
DEFAULT_TIMEOUT = (10.0, 60.0)
# Seconds for everything one client does (all requests, retries and waits together).
DEFAULT_DEADLINE = 60.0
# No answer of the GitHub API that mlscaffold reads comes near this.
MAX_RESPONSE_BYTES = 10_000_000
_CHUNK = 64 * 1024
_RETRIED_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers (lower-case keys) and the decoded JSON body, if any."""

    status: int
    headers: Mapping[str, str]
    data: Any
    text: str

    @property
    def is_success(self) -> bool:
        """Tell whether the status is 2xx."""
        return 200 <= self.status < 300


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ATTEMPTS in all, waits capped at MAX_DELAY seconds."""

    attempts: int = 5
    backoff: float = 1.0
    max_delay: float = 60.0


def _is_rate_limited(status: int, headers: Mapping[str, str]) -> bool:
    if status == 429:
        return True
    return status == 403 and ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0")


def retry_delay(
    status: int | None, headers: Mapping[str, str], attempt: int, policy: RetryPolicy, now: float
) -> float | None:
    """Return the seconds to wait before retrying this answer (None: do not retry).

    STATUS None stands for a connection error or timeout; ATTEMPT counts from 1.
    """
    if attempt >= policy.attempts:
        return None
    backoff = policy.backoff * 2.0 ** (attempt - 1)
    if status is None or status in _RETRIED_STATUSES:
        return min(backoff, policy.max_delay)
    if not _is_rate_limited(status, headers):
        return None
    if "retry-after" in headers:
        try:
            wait = float(headers["retry-after"])
        except ValueError:
            wait = backoff
    elif "x-ratelimit-reset" in headers:
        try:
            wait = float(headers["x-ratelimit-reset"]) - now
        except ValueError:
            wait = backoff
    else:
        wait = backoff
    return min(max(wait, 0.0), policy.max_delay)


class _BodyTooLargeError(Exception):
    """The body passed the size cap."""


class _DeadlineError(Exception):
    """The deadline passed while the body was streaming."""


@dataclass
class HttpClient:
    """The one HTTP session: JSON in and out, explicit timeouts, retries by `RetryPolicy`.

    DEADLINE seconds, counted from the first request, bound everything the client does;
    MAX_BYTES bounds each response body.
    """

    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    deadline: float = DEFAULT_DEADLINE
    max_bytes: int = MAX_RESPONSE_BYTES
    monotonic: Callable[[], float] = time.monotonic
    _session: requests.Session | None = field(default=None, init=False, repr=False)
    _ends_at: float | None = field(default=None, init=False, repr=False)

    def _open(self) -> requests.Session:
        if self._session is None:
            import requests

            session = requests.Session()
            session.headers.update(self.headers)
            # Never pick up credentials from ~/.netrc: the caller sets authorization.
            session.trust_env = False
            self._session = session
        return self._session

    def close(self) -> None:
        """Close the session's connections."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def restart_deadline(self) -> None:
        """Give the requests from now on a fresh DEADLINE (one client serving many repositories in turn)."""
        self._ends_at = None

    def _remaining(self) -> float:
        if self._ends_at is None:
            self._ends_at = self.monotonic() + self.deadline
        return self._ends_at - self.monotonic()

    def _expired(self, url: str) -> NetworkError:
        return NetworkError(
            f"{url} did not answer within the {self.deadline:g} s deadline: the server is too slow "
            "or unreachable; try again later (or raise --timeout)."
        )

    def request(
        self, method: str, url: str, *, json: Any = None, params: Mapping[str, str] | None = None
    ) -> Response:
        """Send one request, retrying as the policy says; return the final answer.

        Raises `NetworkError` when the host cannot be reached after every attempt, when the
        deadline passes, or when the answer is larger than `max_bytes`.
        """
        import requests

        attempt = 0
        while True:
            attempt += 1
            remaining = self._remaining()
            if remaining <= 0:
                raise self._expired(url)
            try:
                response = self._attempt(method, url, json, params, remaining)
            except (requests.ConnectionError, requests.Timeout) as caught:
                if self._remaining() <= 0:
                    raise self._expired(url) from None
                delay = retry_delay(None, {}, attempt, self.policy, self.clock())
                if delay is None:
                    raise NetworkError(
                        f"cannot reach {url} after {attempt} attempts ({type(caught).__name__}): "
                        "check the network and the API URL."
                    ) from caught
                if delay >= self._remaining():
                    raise self._expired(url) from None
                self.sleep(delay)
                continue
            except requests.RequestException as caught:
                # Broken chunking, undecodable compression, a bad redirect: not an API answer.
                raise NetworkError(
                    f"{url} sent a malformed HTTP answer ({type(caught).__name__}): check the API URL "
                    "(--api-url or GITHUB_API_URL) and try again."
                ) from None
            delay = retry_delay(response.status, response.headers, attempt, self.policy, self.clock())
            # A wait that would outlast the deadline is not taken: the caller explains the answer.
            if delay is None or delay >= self._remaining():
                return response
            self.sleep(delay)

    def _attempt(
        self, method: str, url: str, payload: Any, params: Mapping[str, str] | None, remaining: float
    ) -> Response:
        """Make one attempt in a worker thread, abandoning it when the deadline passes.

        Socket timeouts bound each read, not a whole answer: a server that trickles its
        headers a byte at a time would never time out. The worker is a daemon thread, so
        an abandoned one does not keep the process alive.
        """
        session = self._open()
        outcome: list[Response | BaseException] = []
        connect, read = self.timeout

        def work() -> None:
            try:
                outcome.append(
                    self._exchange(
                        session,
                        method=method,
                        url=url,
                        payload=payload,
                        params=params,
                        timeout=(min(connect, remaining), min(read, remaining)),
                    )
                )
            except BaseException as caught:  # noqa: BLE001 - handed to the caller's thread
                outcome.append(caught)

        worker = threading.Thread(target=work, name="mlscaffold-http", daemon=True)
        worker.start()
        worker.join(max(remaining, 0.0))
        if worker.is_alive() or not outcome:
            # Forget the session the worker still uses; its socket dies with the process.
            self._session = None
            raise self._expired(url)
        result = outcome[0]
        if isinstance(result, _DeadlineError):
            raise self._expired(url)
        if isinstance(result, _BodyTooLargeError):
            raise NetworkError(
                f"{url} answered with more than {self.max_bytes / 1_000_000:g} MB: that is not the "
                "GitHub API; check --api-url (or GITHUB_API_URL)."
            )
        if isinstance(result, BaseException):
            raise result
        return result

    def _exchange(
        self,
        session: requests.Session,
        *,
        method: str,
        url: str,
        payload: Any,
        params: Mapping[str, str] | None,
        timeout: tuple[float, float],
    ) -> Response:
        raw = session.request(method, url, json=payload, params=params, timeout=timeout, stream=True)
        try:
            headers = {key.lower(): value for key, value in raw.headers.items()}
            body = bytearray()
            # iter_content decompresses: the cap holds for what a gzip bomb expands to.
            for chunk in raw.iter_content(_CHUNK):
                body += chunk
                if len(body) > self.max_bytes:
                    raise _BodyTooLargeError
                if self._remaining() <= 0:
                    raise _DeadlineError
        finally:
            raw.close()
        return _response(raw.status_code, headers, bytes(body), raw.encoding)


def _response(status: int, headers: dict[str, str], body: bytes, encoding: str | None) -> Response:
    text = body.decode(encoding or "utf-8", errors="replace")
    data: Any = None
    if text and "json" in headers.get("content-type", ""):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
    return Response(status, headers, data, text)
