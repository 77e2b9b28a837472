"""Any supported record shape -> one Conversation: system text, turns, and the texts a trainer learns from.

Token counts, duplicate and conflict detection, train/validation overlap and the secret scan all work
on this one view, so they behave the same for OpenAI chat, DPO, ShareGPT, Alpaca, Gemini or KTO files.
It never raises: a shape it does not know gives None, and the schema check reports the record.
"""

from dataclasses import dataclass, replace

from pipeline.checks.targets.trl_types import extract_prompt
from pipeline.tool_tokens import definitions

Turn = tuple[str, str]  # (role, text)


@dataclass(frozen=True)
class Conversation:
    system: str | None
    turns: tuple[Turn, ...]  # every turn in order, system excluded; for pairs the prompt then the chosen answer
    answers: tuple[str, ...]  # texts trained on: weighted assistant turns, chosen/preferred, completion
    rejected: str | None = None
    # OpenAI chat records only: what the prompt carries besides the turns' text, for token counts and stats
    roles: tuple[str, ...] = ()  # every message's role in order, system included
    definitions: tuple[dict, ...] = ()  # function definitions from `tools` and legacy `functions`
    names: tuple[str, ...] = ()  # the messages' `name` fields
    calls: tuple[str, ...] = ()  # tool and function calls: each call's name, then its arguments
    bare: tuple[str, ...] = ()  # roles of messages without text content (a call-only assistant turn)

    @property
    def message_roles(self) -> tuple[str, ...]:
        """Roles of the messages in order, system included: the record's own, or those of the turns."""
        if self.roles:
            return self.roles
        return (("system",) if self.system is not None else ()) + tuple(role for role, _ in self.turns)

    @property
    def prompt(self) -> str:
        """The conversation up to the last trained answer: the key for duplicates, conflicts and overlap."""
        last = max((i for i, (role, _) in enumerate(self.turns) if role == "assistant"), default=len(self.turns))
        return "\n".join(f"{role}: {text}" for role, text in self.turns[:last])

    @property
    def texts(self) -> list[Turn]:
        """Every (role, text) sent to a model, system first, the rejected side last."""
        head = [("system", self.system)] if self.system is not None else []  # an empty system turn is still sent
        tail = [("assistant", self.rejected)] if self.rejected is not None else []
        return head + list(self.turns) + tail


def text_of(content: object) -> str | None:
    """A message's text: a string, or the text and refusal parts of a list of content parts (an OpenAI
    assistant may answer with a `{"type": "refusal", "refusal": ...}` part: that is what it is trained on)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text", part.get("refusal")) for part in content if isinstance(part, dict)]
        parts = [text for text in texts if isinstance(text, str)]
        return "\n".join(parts) if parts else None
    return None


def role_turns(messages: object, role_key: str = "role", content_key: str = "content") -> list[tuple[str, str, dict]]:
    if not isinstance(messages, list):
        return []
    if role_key == "role" and all(
        type(m) is dict and type(m.get("content")) is str and type(m.get("role")) is str for m in messages
    ):
        return [(m["role"], m["content"], m) for m in messages]  # the usual shape, without the general lookups
    roles = {"human": "user", "gpt": "assistant", "model": "assistant", "bot": "assistant"}
    found = []
    for message in messages:
        if isinstance(message, dict):
            role = message.get(role_key, message.get("from"))
            content = message.get(content_key, message.get("value", message.get("parts")))
            text = text_of(content)
            if isinstance(role, str) and text is not None:
                found.append((roles.get(role, role), text, message))
    return found


def chat(turns: list[tuple[str, str, dict]], system: object = None) -> Conversation:
    if turns and turns[0][0] == "system":
        system, turns = turns[0][1], turns[1:]
    answers = tuple(text for role, text, message in turns if role == "assistant" and message.get("weight", 1) != 0)
    return Conversation(system if isinstance(system, str) else None, tuple((r, t) for r, t, _ in turns), answers)


def with_message_fields(talk: Conversation, record: dict) -> Conversation:
    """The conversation with what an OpenAI chat record adds to the prompt: definitions, names, calls."""
    messages = record["messages"]
    if not isinstance(messages, list):
        return talk
    roles, names, calls, bare = [], [], [], []
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        roles.append(role if isinstance(role, str) else "")
        if isinstance(message.get("name"), str):
            names.append(message["name"])
        for call in message_calls(message):
            calls += [text for text in (call.get("name"), call.get("arguments")) if isinstance(text, str)]
        if text_of(message.get("content")) is None:
            bare.append(roles[-1])
    return replace(
        talk,
        roles=tuple(roles),
        definitions=definitions(record),
        names=tuple(names),
        calls=tuple(calls),
        bare=tuple(bare),
    )


def message_calls(message: dict) -> list[dict]:
    """The `function` objects of a message's tool calls, and its legacy `function_call`."""
    tool_calls = message.get("tool_calls")
    found = (
        [call.get("function") for call in tool_calls if isinstance(call, dict)] if isinstance(tool_calls, list) else []
    )
    found.append(message.get("function_call"))
    return [call for call in found if isinstance(call, dict)]


def side(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[-1]
    if isinstance(value, dict):
        value = text_of(value.get("content", value.get("value", value.get("parts"))))
    return value if isinstance(value, str) else None


def pair_conversation(
    prompt: list[tuple[str, str, dict]], chosen: object, rejected: object, system: object = None
) -> Conversation | None:
    base = chat(prompt, system)
    good, bad = side(chosen), side(rejected)
    if good is None:
        return None
    return Conversation(base.system, (*base.turns, ("assistant", good)), (good,), bad)


def implicit_prompt(chosen: object, rejected: object) -> tuple[object, object, object]:
    """(prompt, chosen, rejected) of a TRL pair without a prompt, split where TRL splits it."""
    if isinstance(chosen, str) and isinstance(rejected, str):
        return extract_prompt(chosen, rejected)
    if isinstance(chosen, list) and isinstance(rejected, list):
        return extract_prompt(chosen, rejected)
    return None, chosen, rejected


def record_conversation(record: object) -> Conversation | None:
    if not isinstance(record, dict):
        return None
    system = record.get("system") if isinstance(record.get("system"), str) and record.get("system") else None
    if isinstance(record.get("input"), dict) and "preferred_output" in record:  # OpenAI DPO
        pair = pair_conversation(
            role_turns(record["input"].get("messages")),
            record.get("preferred_output"),
            record.get("non_preferred_output"),
        )
        return replace(pair, definitions=definitions(record["input"])) if pair is not None else None
    if "conversations" in record:  # ShareGPT (DPO when chosen/rejected are present)
        turns = role_turns(record["conversations"], "from", "value")
        return (
            pair_conversation(turns, record["chosen"], record.get("rejected"), system)
            if "chosen" in record
            else chat(turns, system)
        )
    if "contents" in record:  # Vertex Gemini
        instruction = record.get("systemInstruction") or record.get("system_instruction")
        system_text = text_of(instruction.get("parts")) if isinstance(instruction, dict) else None
        turns = role_turns(record["contents"], "role", "parts")
        completions = record.get("completions")
        if isinstance(completions, list):  # preference: scored completions, best first
            scored = sorted(
                (c for c in completions if isinstance(c, dict) and isinstance(c.get("score"), int | float)),
                key=lambda c: -c["score"],
            )
            if len(scored) >= 2:
                return pair_conversation(turns, scored[0].get("completion"), scored[-1].get("completion"), system_text)
            return None
        return chat(turns, system_text)
    if "messages" in record:  # OpenAI, Bedrock, Mistral, Together, TRL messages
        return with_message_fields(chat(role_turns(record["messages"]), system), record)
    if "chosen" in record:  # TRL preference (prompt string or messages, or implicit)
        prompt, chosen, rejected = record.get("prompt"), record["chosen"], record.get("rejected")
        if "prompt" not in record:
            prompt, chosen, rejected = implicit_prompt(chosen, rejected)
        turns = [("user", prompt, {})] if isinstance(prompt, str) else role_turns(prompt)
        return pair_conversation(turns, chosen, rejected, system)
    if "completion" in record:  # prompt-completion and KTO
        prompt, completion = record.get("prompt"), side(record.get("completion"))
        turns = [("user", prompt, {})] if isinstance(prompt, str) else role_turns(prompt)
        if completion is None:
            return None
        return Conversation(system, (*tuple((r, t) for r, t, _ in turns), ("assistant", completion)), (completion,))
    if "instruction" in record:  # Alpaca
        prompt = "\n\n".join(
            text for text in (record.get("instruction"), record.get("input")) if isinstance(text, str) and text
        )
        output = record.get("output")
        if not isinstance(output, str):
            return None
        return Conversation(system, (("user", prompt), ("assistant", output)), (output,))
    if isinstance(record.get("text"), str):  # plain text (continued pre-training)
        return Conversation(None, (("assistant", record["text"]),), (record["text"],))
    return None
