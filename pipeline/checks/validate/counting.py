"""Token counts with OpenAI's chat accounting for the per-line engine, one conversation at a time.

The accounting is the cookbook's ("How to count tokens with tiktoken", `num_tokens_from_messages`):
3 tokens per message plus its role and text, 1 more per `name` plus the name's tokens, 3 for the reply
priming. On top of it, what an OpenAI chat record adds to the prompt: the function definitions by the
cookbook's `num_tokens_for_tools` (pipeline/tool_tokens.py), and each tool or function call's name and
arguments text (OpenAI publishes no rendering for calls; a call-only message still costs its 3 tokens
and role). Both are estimates, and the stats say so.

The columnar pass counts whole files by distinct pieces (pipeline/pieces.py, columnar.with_tokens)
with the same accounting; it only takes records without tools, names or calls. Tests compare the two routes.
"""

from pipeline.checks.validate.conversation import Conversation
from pipeline.long_texts import count_tokens
from pipeline.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, load_encoding
from pipeline.tool_tokens import definition_tokens

# Figures per record for the dataset statistics: the columns after `passed` in keys.MATERIAL.
Figures = tuple[int, bool, int | None, int | None]


class TokenCounter:
    """OpenAI's chat accounting with a memo: system prompts and stock phrases repeat across a file."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding_name = encoding_name
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
        """(all tokens, tokens before the first trained answer); the definitions come before both."""
        total, prompt = self.count_texts(talk.texts, talk.answers)
        tools = self.tool_tokens(talk)
        names = sum(TOKENS_PER_NAME + self.length(name) for name in talk.names)
        calls = sum(map(self.length, talk.calls))
        bare = sum(TOKENS_PER_MESSAGE + self.length(role) for role in talk.bare)
        return total + tools + names + calls + bare, prompt + tools

    def tool_tokens(self, talk: Conversation) -> int:
        return definition_tokens(talk.definitions, self.length, self.encoding_name) if talk.definitions else 0

    def count_texts(self, texts: list[tuple[str, str]], trained: tuple[str, ...]) -> tuple[int, int]:
        total, prompt = REPLY_PRIMING, None
        answers = set(trained)
        for role, text in texts:
            if prompt is None and role == "assistant" and text in answers:
                prompt = total
            total += TOKENS_PER_MESSAGE + self.length(role) + self.length(text)
        return total, prompt if prompt is not None else total


def figures(talk: Conversation, counter: TokenCounter | None) -> Figures:
    """(messages, has a user message, assistant tokens, tool-definition tokens) of one record.

    Assistant tokens are the cookbook's `num_assistant_tokens_from_messages`: the text of every
    assistant message, here with its calls' names and arguments.
    """
    roles = talk.message_roles
    if counter is None:
        return len(roles), "user" in roles, None, None
    assistant = sum(counter.length(text) for role, text in talk.turns if role == "assistant")
    assistant += sum(map(counter.length, talk.calls))
    return len(roles), "user" in roles, assistant, counter.tool_tokens(talk)
