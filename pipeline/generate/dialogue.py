"""Chat logs and support transcripts ("Agent: ...", "Customer: ...") -> multi-turn conversations.

Speakers are mapped to roles by name (generate.assistant_speakers / user_speakers); a transcript
with an unknown speaker is left alone rather than guessed. Lines that wrap continue the previous
turn. The conversation starts at the first user turn and ends at the last assistant turn.
"""

from collections.abc import Iterator

from pipeline.blocks import SPEAKER, Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import example


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    if not any(block.kind == "dialogue" for block in blocks):
        return  # most sections: no roles to look up
    roles = {name.casefold(): "assistant" for name in cfg.assistant_speakers}
    roles |= {name.casefold(): "user" for name in cfg.user_speakers}
    offset = section["body_start"]
    for block in blocks:
        if block.kind != "dialogue":
            continue
        turns = parse_turns(block.text, roles)
        if turns is None:
            continue
        while turns and turns[0]["role"] != "user":
            turns.pop(0)
        while turns and turns[-1]["role"] != "assistant":
            turns.pop()
        if len(turns) >= 2:
            yield example(section, cfg, "dialogue", turns, offset + block.start, offset + block.end)


def parse_turns(text: str, roles: dict[str, str]) -> list[dict] | None:
    """Consecutive lines of one speaker merge into one turn; None when a speaker has no known role."""
    turns: list[dict] = []
    for line in text.split("\n"):
        match = SPEAKER.match(line)
        if match:
            role = roles.get(match.group("speaker").strip().casefold())
            if role is None:
                return None
            if turns and turns[-1]["role"] == role:
                turns[-1]["content"] += "\n" + match.group("said")
            else:
                turns.append({"role": role, "content": match.group("said")})
        elif turns:
            turns[-1]["content"] += "\n" + line
    return turns
