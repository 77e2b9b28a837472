"""Token counts with OpenAI's chat accounting for the per-line engine, one conversation at a time.

The columnar pass counts whole files by distinct pieces (pipeline/pieces.py, columnar.with_tokens)
with the same accounting; tests compare the two routes.
"""

from pipeline.checks.validate.conversation import Conversation
from pipeline.long_texts import count_tokens
from pipeline.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, load_encoding


class TokenCounter:
    """OpenAI's chat accounting with a memo: system prompts and stock phrases repeat across a file."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding = load_encoding(encoding_name)
        self.memo: dict[str, int] = {}
        self.segments: dict[str, int] = {}  # of very long texts (long_texts.py)

    def length(self, text: str) -> int:
        known = self.memo.get(text)
        if known is None:
            known = count_tokens(self.encoding, text, self.segments)
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
