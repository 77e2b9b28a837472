"""Talking to an OpenAI-compatible chat endpoint: retries with backoff, the reply cache and the run's budget.

Nothing here knows about sections or examples; `llm.py` builds the requests and judges the replies.
The API key lives only in the `httpx.Client` headers, and every message that leaves this module passes
through `ChatClient.redact`, so even a server that echoes the key cannot leak it into rejects or logs.
"""

import email.utils
import hashlib
import json
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from pipeline.config import LLMConfig

log = logging.getLogger(__name__)

BASE_DELAY = 0.5  # seconds before the first retry; doubles on each further retry, with jitter
MAX_DELAY = 30.0  # cap on one wait, a server's Retry-After included
EXCERPT = 200  # characters of an error body or a bad reply quoted in a detail
REPAIR = "That reply could not be used ({problem}). Reply again with only the JSON object that was asked for."


class MalformedReply(ValueError):
    """The endpoint answered, but the reply cannot be used; the message says what is wrong with it."""


class Answer(NamedTuple):
    """What became of one request: the parsed reply, or a reason code and a detail saying why not."""

    value: Any
    reason: str | None
    detail: str
    cached: bool


class Job(NamedTuple):
    """One request: its cache key, its conversation, and the other body fields (model, temperature...)."""

    key: str
    messages: list[dict]
    options: dict


class RequestFailed(Exception):
    """No usable response: `retry` for 429, 5xx, timeouts and dropped connections; other failures repeat."""

    def __init__(self, message: str, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry, self.retry_after = retry, retry_after


class Budget:
    """Caps on requests sent and money spent by an LLM stage, shared by its worker threads.

    `requests` and `cost_usd` start at what earlier stages of the run already spent, so generation and
    then rephrasing stay within one budget together; LLM judging (pair-preferences) starts a budget of its
    own, so a run that also judges can spend up to twice the caps.
    """

    def __init__(self, cfg: LLMConfig, requests: int = 0, cost_usd: float = 0.0) -> None:
        self._cfg = cfg
        self._lock = threading.Lock()
        self.requests, self.prompt_tokens, self.completion_tokens = requests, 0, 0
        self.cost_usd = cost_usd
        self.exhausted = False

    def take(self) -> str | None:
        """Count one request about to be sent, or say which cap forbids it.

        The cost cap applies only when a price is configured: without one every cost is 0, and a
        free local endpoint with `max_cost_usd = 0` would otherwise never be asked anything.
        """
        cfg = self._cfg
        priced = cfg.price_input_per_1m_usd > 0 or cfg.price_output_per_1m_usd > 0
        with self._lock:
            if self.requests >= cfg.max_requests:
                why = f"llm.max_requests={cfg.max_requests} reached"
            elif priced and self.cost_usd >= cfg.max_cost_usd:
                why = f"llm.max_cost_usd={cfg.max_cost_usd} reached (spent {self.cost_usd:.6f} USD)"
            else:
                self.requests += 1
                return None
            self.exhausted = True
            return why

    def spend(self, prompt_tokens: int, completion_tokens: int) -> None:
        prices = self._cfg.price_input_per_1m_usd, self._cfg.price_output_per_1m_usd
        cost = (prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1e6
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.cost_usd += cost


class ReplyCache:
    """Valid replies on disk, one JSON file per sha256 of everything that shapes the request."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key(*parts: object) -> str:
        payload = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable LLM cache entry %s: %s", self.path(key), error)
            return None

    def put(self, key: str, entry: dict) -> None:
        """Write via a temp file and rename, so a crash or a parallel run never leaves half an entry."""
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(entry, file, ensure_ascii=False)
            os.replace(temp, path)
        except OSError as error:
            # The cache only saves money; a run whose cache cannot be written still produces its data.
            log.warning("cannot write LLM cache entry %s (%s); the next run asks again", path, error)


class ChatClient:
    """One pooled HTTP client shared by at most `cfg.concurrency` worker threads."""

    def __init__(self, cfg: LLMConfig, api_key: str | None, budget: Budget, cache: ReplyCache) -> None:
        self._cfg, self._key, self._budget, self._cache = cfg, api_key, budget, cache
        self._http = httpx.Client(
            base_url=cfg.base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
            timeout=cfg.timeout_seconds,
            limits=httpx.Limits(max_connections=cfg.concurrency, max_keepalive_connections=cfg.concurrency),
        )

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        return text.replace(self._key, "[redacted]") if self._key else text

    def ask_all(self, jobs: list[Job], parse: Callable[[str], Any]) -> list[Answer]:
        """Answers in job order: cache hits at once, the rest on at most `cfg.concurrency` threads.

        This thread takes each job's first request from the budget in job order, and only once a slot
        is free, so which sections a cap cuts off does not depend on thread timing (with concurrency 1
        the cost cap is exact; above that, requests already in flight may overshoot it).
        """
        answers: list[Answer | None] = [None] * len(jobs)
        slots = threading.BoundedSemaphore(self._cfg.concurrency)
        with ThreadPoolExecutor(self._cfg.concurrency, thread_name_prefix="ftprep-llm") as pool:
            futures = {}
            for index, job in enumerate(jobs):
                answers[index] = self._cached(job.key, parse)
                if answers[index] is not None:
                    continue
                slots.acquire()
                refused = self._budget.take()
                if refused:
                    slots.release()
                    answers[index] = Answer(None, "llm_budget_exhausted", f"not sent: {refused}", False)
                    continue
                futures[index] = pool.submit(self._ask_in_slot, job, parse, slots)
            for index, future in futures.items():
                answers[index] = future.result()
        return [answer for answer in answers if answer is not None]

    def _cached(self, key: str, parse: Callable[[str], Any]) -> Answer | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        try:
            return Answer(parse(entry["reply"]), None, "", True)
        except (MalformedReply, KeyError, TypeError) as error:
            log.warning("ignoring LLM cache entry %s that no longer parses: %s", self._cache.path(key), error)
            return None

    def _ask_in_slot(self, job: Job, parse: Callable[[str], Any], slots: threading.BoundedSemaphore) -> Answer:
        try:
            return self._ask(job, parse)
        finally:
            slots.release()

    def _ask(self, job: Job, parse: Callable[[str], Any]) -> Answer:
        """Send until a reply parses; malformed replies and transient failures share `cfg.max_retries`."""
        rng = random.Random(job.key)  # jitter seeded per request: a rerun waits the same way
        messages, reason, problem = job.messages, "", ""
        attempts = self._cfg.max_retries + 1
        for attempt in range(attempts):
            refused = self._budget.take() if attempt else None  # ask_all took the first one
            if refused:
                detail = f"{refused} after {attempt} attempt(s); last problem: {problem}"
                return Answer(None, "llm_budget_exhausted", detail, False)
            text, finish, usage = "", None, None
            try:
                text, finish, usage = self._complete({**job.options, "messages": messages})
                value = parse(text)
            except RequestFailed as error:
                if not error.retry:
                    return Answer(None, "llm_request_failed", str(error), False)
                reason, problem = "llm_request_failed", str(error)
                log.debug("LLM request %s… attempt %d: %s", job.key[:12], attempt + 1, problem)
                if attempt + 1 < attempts:
                    time.sleep(self._delay(attempt, error.retry_after, rng))
                continue
            except MalformedReply as error:
                reason, problem = "llm_malformed", self.redact(str(error))
                if finish == "length":
                    problem += f" (the reply was cut off at llm.max_tokens={self._cfg.max_tokens})"
                log.debug("LLM request %s… attempt %d: %s", job.key[:12], attempt + 1, problem)
                # Show the model its reply and the problem: at low temperature a blind retry tends to repeat it.
                repair = {"role": "user", "content": REPAIR.format(problem=problem)}
                messages = [*job.messages, {"role": "assistant", "content": text}, repair]
                continue
            self._cache.put(job.key, {"reply": text, "usage": usage, "model": self._cfg.model})
            return Answer(value, None, "", False)
        return Answer(None, reason, f"{problem} (after {attempts} attempt(s))", False)

    def _complete(self, body: dict) -> tuple[str, str | None, dict]:
        """POST one chat completion and charge the budget; (reply text, finish_reason, usage block)."""
        try:
            response = self._http.post("chat/completions", json=body)
        except httpx.TimeoutException as error:
            raise RequestFailed(
                f"timed out after {self._cfg.timeout_seconds} s ({type(error).__name__})", True
            ) from None
        except httpx.HTTPError as error:
            retry = isinstance(error, httpx.NetworkError | httpx.RemoteProtocolError)
            hint = "" if retry else "; check llm.base_url"
            raise RequestFailed(f"{type(error).__name__}: {self.redact(str(error))}{hint}", retry) from None
        if response.status_code >= 300:
            raise self._status_error(response)
        try:
            reply = response.json()
        except ValueError:
            reply = None
        usage = reply.get("usage") if isinstance(reply, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        if isinstance(usage.get("prompt_tokens"), int):
            self._budget.spend(usage["prompt_tokens"], int(usage.get("completion_tokens") or 0))
        else:  # no usage block: estimate 4 characters a token, so the cost cap still bites
            self._budget.spend(len(json.dumps(body["messages"])) // 4, len(response.text) // 4)
        try:
            choice = reply["choices"][0]  # type: ignore[index]
            message = choice["message"]
            content, refusal = message.get("content"), message.get("refusal")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise MalformedReply(f"response has no choices[0].message: {self._excerpt(response.text)}") from None
        if not isinstance(content, str) or not content.strip():
            raise MalformedReply(f"the model refused: {refusal}" if refusal else "reply is empty")
        return content, choice.get("finish_reason"), usage

    def _status_error(self, response: httpx.Response) -> RequestFailed:
        """The failure for an HTTP error status, with a hint at the likely fix."""
        status, cfg = response.status_code, self._cfg
        message = f"HTTP {status} from {response.request.url.path}: {self._excerpt(response.text)}"
        if status == 429 or status >= 500:
            return RequestFailed(message, True, retry_after_seconds(response.headers))
        if status in (401, 403):
            message += f"; check the API key in the environment variable {cfg.api_key_env}"
        elif status == 404:
            message += "; check that llm.base_url ends in /v1 and that llm.model is served there"
        elif status in (400, 422) and cfg.structured_output:
            message += (
                "; if the endpoint does not support response_format json_schema, set llm.structured_output = false"
            )
        return RequestFailed(message, False)

    def _excerpt(self, text: str) -> str:
        text = " ".join(self.redact(text).split())
        return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")

    def _delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """The server's Retry-After, else exponential backoff with jitter so parallel workers do not retry in step."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_DELAY)
        return min(MAX_DELAY, BASE_DELAY * 2**attempt) * (0.5 + rng.random() / 2)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait a server asks for: OpenAI's `retry-after-ms`, else Retry-After in seconds or as an HTTP date."""
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        return float(headers["retry-after"]) if "retry-after" in headers else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(headers.get("retry-after"))
    except (TypeError, ValueError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() - time.time()
