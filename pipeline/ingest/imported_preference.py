"""Existing preference data -> preference (and KTO) EXAMPLE rows, and rated responses -> pairs.

Formats: TRL preference (standard strings, conversational with an explicit prompt, or an implicit
prompt shared by chosen and rejected), OpenAI DPO, LLaMA-Factory/ShareGPT DPO (chosen and rejected
turn objects), Alpaca-style ranking, TRL KTO (unpaired completions with a label, kept as such), and
rated responses (several answers to one prompt with scores, ranks or thumbs up/down).
"""

from pipeline.config import PreferenceConfig
from pipeline.ingest.files import Problem
from pipeline.ingest.imported import SHAREGPT_ROLES, chat_turns, check_order
from pipeline.records import stable_id

ROLES = {role: role for role in ("system", "user", "assistant")}
TEXT_KEYS = ("text", "content", "response", "output", "completion", "answer")
THUMBS = {"up": 1.0, "down": 0.0, "good": 1.0, "bad": 0.0, "+1": 1.0, "-1": 0.0}


class Invalid(Exception):
    """A record that cannot become a pair; carries the reason code and the detail naming the field."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.problem: Problem = (reason, detail)


def import_preference(
    record: dict, fmt: str, source: str, doc_id: str, cfg: PreferenceConfig
) -> tuple[list[dict], Problem | None]:
    """Rows for one record, or ([], (reason, detail))."""
    try:
        if fmt == "rated":
            return rated_pairs(record, source, doc_id, cfg), None
        if fmt == "kto":
            return [kto_row(record, source, doc_id)], None
        prompt, chosen, rejected = parse_pair(record, fmt)
        return [pair_row(prompt, chosen, rejected, "imported", None, source, doc_id, fmt)], None
    except Invalid as error:
        return [], error.problem


def turns_of(
    value: object, field: str, role_key: str = "role", content_key: str = "content", roles: dict = ROLES
) -> list[dict]:
    converted = chat_turns(value, field, role_key, content_key, roles)
    if converted[0] is None:
        raise Invalid(*converted[1])
    return converted[0]


def checked_prompt(prompt: list[dict]) -> list[dict]:
    problem = check_order([*prompt, {"role": "assistant", "content": ""}])
    if problem is not None:
        raise Invalid("invalid_record", f"prompt: {problem[1]}")
    return prompt


def side_text(side: object, name: str) -> str:
    """The assistant text of one side: a string, a turn ({role, content} or {from, value}), or a one-turn list."""
    if isinstance(side, list) and len(side) == 1:
        side = side[0]
    if isinstance(side, dict):
        role = side.get("role", side.get("from"))
        if role not in (None, "assistant", "gpt"):
            raise Invalid("invalid_record", f"{name}: the turn's role is {role!r}, expected the assistant")
        side = side.get("content", side.get("value"))
    if not isinstance(side, str):
        raise Invalid(
            "invalid_record", f"{name}: {type(side).__name__}, expected an assistant answer (string or one turn)"
        )
    return side


def parse_pair(record: dict, fmt: str) -> tuple[list[dict], str, str]:
    chosen, rejected = record.get("chosen"), record.get("rejected")
    if fmt == "openai-dpo":
        wrapper = record.get("input")
        prompt = turns_of(wrapper.get("messages") if isinstance(wrapper, dict) else None, "input.messages")
        chosen, rejected = record.get("preferred_output"), record.get("non_preferred_output")
    elif fmt == "sharegpt-dpo":
        prompt = turns_of(record.get("conversations"), "conversations", "from", "value", SHAREGPT_ROLES)
        if isinstance(record.get("system"), str) and record["system"].strip():
            prompt = [{"role": "system", "content": record["system"]}, *prompt]
    elif fmt == "alpaca-preference":
        text = str(record.get("instruction") or "") + (f"\n\n{record['input']}" if record.get("input") else "")
        prompt = [{"role": "system", "content": record["system"]}] if record.get("system") else []
        prompt.append({"role": "user", "content": text})
    elif isinstance(record.get("prompt"), str):
        prompt = [{"role": "user", "content": record["prompt"]}]
    elif record.get("prompt") is None and isinstance(chosen, list) and isinstance(rejected, list):
        prompt, chosen, rejected = split_implicit_prompt(chosen, rejected)
    else:
        prompt = turns_of(record.get("prompt"), "prompt")
    return checked_prompt(prompt), side_text(chosen, "chosen"), side_text(rejected, "rejected")


def split_implicit_prompt(chosen: list, rejected: list) -> tuple[list[dict], list, list]:
    """TRL's implicit prompt: the turns chosen and rejected share before their last one."""
    shared = 0
    while shared < min(len(chosen), len(rejected)) - 1 and chosen[shared] == rejected[shared]:
        shared += 1
    if len(chosen) != shared + 1 or len(rejected) != shared + 1:
        raise Invalid("prompt_mismatch", "chosen and rejected do not share the conversation before their last turn")
    return turns_of(chosen[:shared], "chosen"), chosen[shared:], rejected[shared:]


def pair_row(
    prompt: list[dict],
    chosen: str,
    rejected: str,
    negative: str,
    rationale: str | None,
    source: str,
    doc_id: str,
    fmt: str,
) -> dict:
    system = prompt[0]["content"] if prompt[0]["role"] == "system" else None
    turns = prompt[1:] if system is not None else prompt
    return {
        "id": stable_id("preference", negative, system, turns, chosen, rejected, source),
        "kind": "preference",
        "task": "imported",
        "system": system,
        "messages": turns,
        "chosen": chosen,
        "rejected": rejected,
        "negative": negative,
        "rationale": rationale,
        "doc_id": doc_id,
        "source": source,
        "generator": f"import:{fmt}",
    }


def kto_row(record: dict, source: str, doc_id: str) -> dict:
    label = record.get("label")
    if not isinstance(label, bool):
        raise Invalid("invalid_record", f"label: {type(label).__name__}, expected true or false")
    prompt = record.get("prompt")
    turns = checked_prompt(
        [{"role": "user", "content": prompt}] if isinstance(prompt, str) else turns_of(prompt, "prompt")
    )
    completion = side_text(record.get("completion"), "completion")
    row = pair_row(turns, completion, "", "imported", None, source, doc_id, "kto")
    return {
        **row,
        "id": stable_id("kto", turns, completion, label, source),
        "kind": "kto",
        "rejected": None,
        "negative": None,
        "label": label,
    }


def response_score(response: object, index: int) -> tuple[str, float]:
    if not isinstance(response, dict):
        raise Invalid("invalid_record", f"responses[{index}] is not an object")
    text = next((response[key] for key in TEXT_KEYS if isinstance(response.get(key), str)), None)
    if text is None:
        raise Invalid("invalid_record", f"responses[{index}] has no text ({', '.join(TEXT_KEYS)})")
    for key in ("score", "rating", "rank", "thumbs", "feedback"):
        value = response.get(key)
        if isinstance(value, bool):
            return text, float(value)
        if isinstance(value, int | float):
            return text, -float(value) if key == "rank" else float(value)  # rank 1 is best
        if isinstance(value, str) and value.lower() in THUMBS:
            return text, THUMBS[value.lower()]
    raise Invalid("invalid_record", f"responses[{index}] has no score, rank or rating")


def rated_pairs(record: dict, source: str, doc_id: str, cfg: PreferenceConfig, allow_tie: bool = False) -> list[dict]:
    """Best vs worst (or every pair at least min_margin apart); a prompt whose answers tie is rejected."""
    prompt = record.get("prompt")
    turns = checked_prompt(
        [{"role": "user", "content": prompt}] if isinstance(prompt, str) else turns_of(prompt, "prompt")
    )
    scored = [response_score(response, index) for index, response in enumerate(record["responses"])]
    if len(scored) < 2:
        raise Invalid("too_few_responses", f"{len(scored)} rated response(s); a pair needs two")
    ranked = sorted(enumerate(scored), key=lambda item: (-item[1][1], item[0]))  # best first, stable
    candidates = (
        [(ranked[0], ranked[-1])]
        if cfg.rated_pairs == "best_worst"
        else [(better, worse) for i, better in enumerate(ranked) for worse in ranked[i + 1 :]]
    )
    pairs = [(b, w) for b, w in candidates if allow_tie or b[1][1] - w[1][1] >= max(cfg.min_margin, 1e-9)]
    if not pairs:
        scores = ", ".join(f"{score:g}" for _, (_, score) in ranked)
        raise Invalid("tie", f"scores {scores}: no two differ by preference.min_margin = {cfg.min_margin:g}")
    return [
        pair_row(
            turns,
            better[1][0],
            worse[1][0],
            "rating",
            f"scores {better[1][1]:g} vs {worse[1][1]:g} (responses {better[0]} and {worse[0]})",
            source,
            doc_id,
            "rated",
        )
        for better, worse in pairs
    ]


def preferred_as_sft(
    rows: list[dict], problem: Problem | None, record: dict, fmt: str, source: str, doc_id: str
) -> tuple[list[dict], Problem | None]:
    """SFT runs learn from preference data's preferred answers (SFT first, then DPO, as providers advise).

    A pair gives its chosen answer; rated responses their best one, even when several tie for best;
    a KTO completion only when it is labelled desirable.
    """
    if fmt == "rated" and problem is not None and problem[0] == "tie":
        rows = rated_pairs(record, source, doc_id, PreferenceConfig(min_margin=0.0), allow_tie=True)
        problem = None
    if problem is not None:
        return [], problem
    if rows and rows[0]["kind"] == "kto" and not rows[0]["label"]:
        return [], ("undesirable_completion", "a KTO completion labelled false is not an example to imitate")
    converted = []
    for row in rows[:1]:  # one SFT example per record: the best answer
        messages = [*row["messages"], {"role": "assistant", "content": row["chosen"]}]
        converted.append(
            {
                "id": stable_id("sft", "imported", row["system"], messages, row["source"]),
                "kind": "sft",
                "task": "imported",
                "system": row["system"],
                "messages": messages,
                "doc_id": row["doc_id"],
                "source": row["source"],
                "generator": row["generator"],
            }
        )
    return converted, None
