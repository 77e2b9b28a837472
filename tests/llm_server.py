"""A scriptable OpenAI-compatible chat server on 127.0.0.1 for the LLM generator's tests.

Real HTTP, no mocks: each test sets how the server behaves and then reads what it saw. By default it
answers every POST /v1/chat/completions with grounded pairs built from the section text in the prompt;
`script` queues one-off behaviours (an error status, a slow reply, a bad reply) consumed in order, and
`reply` replaces how the content is made from the section text. The LLM judge's two requests are told
apart by their prompts (a `<question>` block; `<candidate>` blocks for the judge) and answered by
`candidates` (the passage, the question and how many answers were asked for) and `verdict` (the passage,
the question and the candidate texts, candidate 0 first). A question rephrasing request (a `<question>` and
an `<answer>` block, no passage) is answered by `rephrase` (the question, the answer and the user text).
"""

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECTION = re.compile(r"<section>\n(.*)\n</section>", re.S)
SENTENCE = re.compile(r"(?<=[.!?])\s+")
PASSAGE = re.compile(r"<passage>\n(.*?)\n</passage>", re.S)
QUESTION = re.compile(r"<question>\n(.*?)\n</question>", re.S)
CANDIDATE = re.compile(r'<candidate index="\d+">\n(.*?)\n</candidate>', re.S)
ASKED = re.compile(r"exactly (\d+) different answers")
ANSWER = re.compile(r"<answer>\n(.*?)\n</answer>", re.S)
IMPERATIVE = ("Explain", "Describe", "List", "Define", "Give", "Tell")


def sentences(section: str) -> list[str]:
    return [part.strip() for part in SENTENCE.split(section) if len(part.split()) >= 3]


def grounded(section: str, pairs: int = 2) -> str:
    """Valid JSON whose answers are sentences of the section, so they are supported and verbatim."""
    found = sentences(section) or [section.strip()]
    chosen = [found[index % len(found)] for index in range(pairs)]
    items = [
        {"question": f"What does the guide say about {' '.join(s.split()[:3]).lower()}?", "answer": s} for s in chosen
    ]
    return json.dumps({"pairs": items})


def fenced(section: str, pairs: int = 2) -> str:
    return f"Sure! Here are the pairs you asked for:\n```json\n{grounded(section, pairs)}\n```\nHope this helps."


def malformed(section: str, pairs: int = 2) -> str:
    return "I am sorry, I cannot produce that."


def schema_violation(section: str, pairs: int = 2) -> str:
    return json.dumps({"pairs": [{"question": "What is it?", "answer": ""}]})


def ungrounded(section: str, pairs: int = 2) -> str:
    answer = "Quantum chromodynamics describes how gluons bind quarks inside protons and neutrons."
    return json.dumps({"pairs": [{"question": "What binds quarks together?", "answer": answer}]})


def natural(question: str, answer: str, user: str) -> str:
    """A rewrite that passes every check: 'Explain X.' -> 'Could you explain X, please?', a question prefixed."""
    body = question.rstrip("?.! ")
    if body.startswith(IMPERATIVE):
        return json.dumps({"question": f"Could you {body[0].lower()}{body[1:]}, please?"})
    return json.dumps({"question": f"Quick question — {body[0].lower()}{body[1:]}?"})


def varied(passage: str, question: str, count: int) -> str:
    """`count` answers made of the passage's first words, from all of them down to a short fragment."""
    words = passage.split()
    answers = [" ".join(words[: -(-len(words) * (count - index) // count)]) for index in range(count)]
    return json.dumps({"candidates": answers})


def by_length(passage: str, question: str, candidates: list[str]) -> str:
    """Scores from 1 to 10 by word count, the longest answer best: a judge that rewards completeness."""
    longest = max(len(answer.split()) for answer in candidates)
    scores = [
        {"candidate": index, "score": round(1 + 9 * len(answer.split()) / longest, 1), "reason": "completeness"}
        for index, answer in enumerate(candidates)
    ]
    return json.dumps({"scores": scores})


def scores(*values: float) -> Callable[[str, str, list[str]], str]:
    """A judge that gives candidate i the score values[i]."""
    entries = [{"candidate": index, "score": value, "reason": f"reason {index}"} for index, value in enumerate(values)]
    return lambda passage, question, candidates: json.dumps({"scores": entries})


@dataclass
class Step:
    """One scripted response: an error status, a fixed content, or a delay before the normal reply."""

    status: int = 200
    content: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = '{"error": {"message": "scripted failure"}}'
    delay: float = 0.0


class LLMServer:
    """Start with `start()`, stop with `stop()`; `url` is the base URL ending in /v1."""

    def __init__(self) -> None:
        self.reply: Callable[[str, int], str] = grounded
        self.candidates: Callable[[str, str, int], str] = varied
        self.verdict: Callable[[str, str, list[str]], str] = by_length
        self.rephrase: Callable[[str, str, str], str] = natural
        self.pairs = 2
        self.delay = 0.0
        self.usage: tuple[int, int] | None = None  # fixed (prompt, completion) tokens; else from the lengths
        self.script: deque[Step] = deque()
        self.requests: list[dict] = []
        self.authorization: list[str | None] = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self.httpd.daemon_threads = False  # so server_close() joins every handler thread
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="llm-test-server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def start(self) -> "LLMServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def respond(self, payload: dict, authorization: str | None) -> tuple[int, dict[str, str], str, float]:
        """(status, headers, body, delay) for one request, recording what was seen."""
        with self.lock:
            self.requests.append(payload)
            self.authorization.append(authorization)
            step = self.script.popleft() if self.script else Step()
        delay = step.delay or self.delay
        if step.status != 200:
            return step.status, step.headers, step.body.replace("{auth}", authorization or ""), delay
        content = step.content if step.content is not None else self.content(payload["messages"])
        prompt, completion = self.usage or (len(json.dumps(payload["messages"])) // 4, len(content) // 4)
        body = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": payload.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
        return 200, step.headers, json.dumps(body), delay

    def content(self, messages: list[dict]) -> str:
        """The reply to a conversation: judge, candidates or question-answer pairs, by what the prompt holds."""
        user = next(message["content"] for message in messages if message["role"] == "user")
        passage, question, answer = PASSAGE.search(user), QUESTION.search(user), ANSWER.search(user)
        if question and answer and not passage:
            return self.rephrase(question.group(1), answer.group(1), user)
        if passage and question and CANDIDATE.search(user):
            return self.verdict(passage.group(1), question.group(1), CANDIDATE.findall(user))
        if passage and question:
            asked = ASKED.search(messages[0]["content"])
            return self.candidates(passage.group(1), question.group(1), int(asked.group(1)) if asked else 2)
        match = SECTION.search(user)
        return self.reply(match.group(1) if match else user, self.pairs)

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # an idle keep-alive connection must not hold server_close() forever

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v1/chat/completions":
                    self.send("404", 404, {}, 0.0)
                    return
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    status, headers, text, delay = server.respond(json.loads(body), self.headers.get("Authorization"))
                    self.send(text, status, headers, delay)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def send(self, text: str, status: int, headers: dict[str, str], delay: float) -> None:
                time.sleep(delay)
                data = text.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def leaked_anywhere(key: str, results: list, folder, caplog) -> list[str]:
    """Every place a generator's outputs could carry the API key: frames, usage, cache files, logs.

    Returns the places that contain it (or the word SECRET); tests assert the list is empty.
    """
    places = [frame.write_json() for result in results for frame in (result.kept, result.rejected)]
    places += [json.dumps(result.usage) for result in results]
    places += [path.read_text() for path in folder.rglob("*") if path.is_file()]
    places += [caplog.text, *(str(record.args) for record in caplog.records)]
    return [place for place in places if key in place or "SECRET" in place]
