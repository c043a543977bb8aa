"""Every HTTP request of mlscaffold, through one `requests.Session` with timeouts and retries.

Retried: connection errors and timeouts, 5xx answers, and rate-limit answers
(429, or 403 with `retry-after` or an exhausted `x-ratelimit-remaining`).
The wait honours `retry-after` (seconds) or `x-ratelimit-reset` (epoch
seconds), else backs off exponentially; every wait is capped by `max_delay`,
and the clock and sleep are injectable so tests never wait for real.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlscaffold.errors import NetworkError

if TYPE_CHECKING:
    import requests

__all__ = ["HttpClient", "Response", "RetryPolicy", "retry_delay"]

# (connect, read) seconds: a dead host fails fast, a slow API still answers.
DEFAULT_TIMEOUT = (10.0, 60.0)
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


@dataclass
class HttpClient:
    """The one HTTP session: JSON in and out, explicit timeouts, retries by `RetryPolicy`."""

    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    _session: requests.Session | None = field(default=None, init=False, repr=False)

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

    def request(
        self, method: str, url: str, *, json: Any = None, params: Mapping[str, str] | None = None
    ) -> Response:
        """Send one request, retrying as the policy says; return the final answer.

        Raises `NetworkError` when the host cannot be reached after every attempt.
        """
        import requests

        session = self._open()
        attempt = 0
        while True:
            attempt += 1
            try:
                raw = session.request(method, url, json=json, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as caught:
                delay = retry_delay(None, {}, attempt, self.policy, self.clock())
                if delay is None:
                    raise NetworkError(
                        f"cannot reach {url} after {attempt} attempts ({type(caught).__name__}): "
                        "check the network and the API URL."
                    ) from caught
                self.sleep(delay)
                continue
            headers = {key.lower(): value for key, value in raw.headers.items()}
            delay = retry_delay(raw.status_code, headers, attempt, self.policy, self.clock())
            if delay is None:
                return _response(raw, headers)
            raw.close()
            self.sleep(delay)


def _response(raw: requests.Response, headers: dict[str, str]) -> Response:
    text = raw.text
    data: Any = None
    if text and "json" in headers.get("content-type", ""):
        try:
            data = raw.json()
        except ValueError:
            data = None
    return Response(raw.status_code, headers, data, text)
