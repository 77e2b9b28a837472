"""Token counts with OpenAI's chat accounting, in this process or in workers reading their own byte range.

The columnar pass settles structure in the parent while worker processes count tokens, the one part
that needs a tokenizer call per text: they parse their range with orjson and send back three integer
arrays, never text.
"""

from array import array

import orjson

from pipeline.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, load_encoding
from pipeline.validation.conversation import Conversation


class TokenCounter:
    """OpenAI's chat accounting with a memo: system prompts and stock phrases repeat across a file."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding = load_encoding(encoding_name)
        self.memo: dict[str, int] = {}

    def length(self, text: str) -> int:
        known = self.memo.get(text)
        if known is None:
            known = len(self.encoding.encode_ordinary(text))
            if len(self.memo) < 200_000:
                self.memo[text] = known
        return known

    def count(self, talk: Conversation) -> tuple[int, int]:
        """(all tokens, tokens before the first trained answer)."""
        return self.count_texts(talk.texts, talk.answers)

    def count_texts(self, texts: list[tuple[str, str]], trained: tuple[str, ...]) -> tuple[int, int]:
        total, prompt = REPLY_PRIMING, None
        answers = set(trained)
        for role, text in texts:
            if prompt is None and role == "assistant" and text in answers:
                prompt = total
            total += TOKENS_PER_MESSAGE + self.length(role) + self.length(text)
        return total, prompt if prompt is not None else total


def count_range(task: tuple[str, str, int, int]) -> tuple[array, array, array, int]:
    """(line offsets in the range, totals, prompt tokens, lines in the range) of the chat lines in a byte
    range; other lines are skipped. The caller turns offsets into line numbers.

    Same accounting as the per-line engine: every message counts, and the prompt ends at the first
    assistant turn that is trained on (weight not 0).
    """
    encoding_name, path, start, end = task
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    counter = TokenCounter(encoding_name)
    offsets, totals, prompts = array("q"), array("q"), array("q")
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for offset, raw in enumerate(lines):
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        messages = record.get("messages") if type(record) is dict else None
        if type(messages) is not list or not all(
            type(m) is dict and type(m.get("role")) is str and type(m.get("content")) is str for m in messages
        ):
            continue
        answers = tuple(m["content"] for m in messages if m["role"] == "assistant" and m.get("weight", 1) != 0)
        total, prompt = counter.count_texts([(m["role"], m["content"]) for m in messages], answers)
        offsets.append(offset)
        totals.append(total)
        prompts.append(prompt)
    return offsets, totals, prompts, len(lines)
