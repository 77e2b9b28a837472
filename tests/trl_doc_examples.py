"""Every example of TRL's dataset-formats guide as JSONL records, and which ftprep TRL target takes it.

Written by hand from huggingface/trl docs/source/dataset_formats.md (the "Dataset formats and types"
page): the table of types and formats, the "Formats" and "Types" sections, tool calling, Harmony, and
the datasets built in "Utilities for converting dataset types" (their inputs and their `dataset[0]`).
Python's True/False are JSON's true/false. Vision examples are left out: their rows hold PIL images,
which a JSONL file cannot.

Which target accepts which type follows the guide's "Which dataset type to use?" table:
trl-sft is SFTTrainer (language modeling or prompt-completion), trl-preference is DPOTrainer and the
other preference trainers (preference, explicit or implicit prompt), trl-kto is KTOTrainer and
BCOTrainer (unpaired preference, or preference, which they unpair). Prompt-only (GRPO, RLOO, online
trainers) and stepwise supervision (PRM) have no ftprep target, so all three refuse them.
"""

import json

SKY = "What color is the sky?"


def user(content: str) -> dict:
    return {"role": "user", "content": content}


def assistant(content: str) -> dict:
    return {"role": "assistant", "content": content}


TOOL_CALL_MESSAGES = [
    user("Turn on the living room lights."),
    {
        "role": "assistant",
        "tool_calls": [
            {
                "type": "function",
                "function": {"name": "control_light", "arguments": {"room": "living room", "state": "on"}},
            }
        ],
    },
    {"role": "tool", "name": "control_light", "content": "The lights in the living room are now on."},
    assistant("Done!"),
]
CONTROL_LIGHT = {
    "type": "function",
    "function": {
        "name": "control_light",
        "description": "Controls the lights in a room.",
        "parameters": {
            "type": "object",
            "properties": {
                "room": {"type": "string", "description": "The name of the room."},
                "state": {"type": "string", "description": 'The desired state of the light ("on" or "off").'},
            },
            "required": ["room", "state"],
        },
        "return": {"type": "string", "description": "str: A message indicating the new state of the lights."},
    },
}
SKY_SUN_IMPLICIT = {
    "chosen": [
        [user(SKY), assistant("It is blue.")],
        [user("Where is the sun?"), assistant("In the sky.")],
    ],
    "rejected": [
        [user(SKY), assistant("It is green.")],
        [user("Where is the sun?"), assistant("In the sea.")],
    ],
}
SKY_SUN_EXPLICIT = {
    "prompt": [[user(SKY)], [user("Where is the sun?")]],
    "chosen": [[assistant("It is blue.")], [assistant("In the sky.")]],
    "rejected": [[assistant("It is green.")], [assistant("In the sea.")]],
}
SKY_SUN_STANDARD = {
    "prompt": ["The sky is", "The sun is"],
    "chosen": [" blue.", " in the sky."],
    "rejected": [" green.", " in the sea."],
}
UNPAIRED_ROWS = {
    "prompt": ["The sky is", "The sun is", "The sky is", "The sun is"],
    "completion": [" blue.", " in the sky.", " green.", " in the sea."],
    "label": [True, True, False, False],
}
STEPWISE_ROWS = {
    "prompt": ["Blue light", "Water"],
    "completions": [
        [" scatters more in the atmosphere,", " so the sky is green."],
        [" forms a less dense structure in ice,", " which causes it to expand when it freezes."],
    ],
    "labels": [[True, False], [True, True]],
}


def rows(columns: dict[str, list]) -> list[dict]:
    """`Dataset.from_dict(columns)` as its rows."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


# name -> (records, the ftprep TRL targets that must accept it; every other TRL target must refuse it)
EXAMPLES: dict[str, tuple[list[dict], frozenset[str]]] = {}
SFT, PREFERENCE, KTO = "trl-sft", "trl-preference", "trl-kto"
TARGETS = (SFT, PREFERENCE, KTO)


def example(name: str, records: list[dict], *accepted: str) -> None:
    EXAMPLES[name] = (records, frozenset(accepted))


# The table of types and formats, and the "Types" section.
example("language_modeling/standard", [{"text": "The sky is blue."}], SFT)
example("language_modeling/conversational", [{"messages": [user(SKY), assistant("It is blue.")]}], SFT)
example("prompt_only/standard", [{"prompt": "The sky is"}])
example("prompt_only/conversational", [{"prompt": [user(SKY)]}])
example("prompt_completion/standard", [{"prompt": "The sky is", "completion": " blue."}], SFT)
example("prompt_completion/conversational", [{"prompt": [user(SKY)], "completion": [assistant("It is blue.")]}], SFT)
example(
    "preference/standard/explicit",
    [{"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}],
    PREFERENCE,
    KTO,
)
example(
    "preference/standard/implicit", [{"chosen": "The sky is blue.", "rejected": "The sky is green."}], PREFERENCE, KTO
)
example(
    "preference/conversational/explicit",
    [{"prompt": [user(SKY)], "chosen": [assistant("It is blue.")], "rejected": [assistant("It is green.")]}],
    PREFERENCE,
    KTO,
)
example(
    "preference/conversational/implicit",
    [{"chosen": [user(SKY), assistant("It is blue.")], "rejected": [user(SKY), assistant("It is green.")]}],
    PREFERENCE,
    KTO,
)
example("unpaired/standard", [{"prompt": "The sky is", "completion": " blue.", "label": True}], KTO)
example(
    "unpaired/conversational/table",
    [{"prompt": [user(SKY)], "completion": [assistant("It is green.")], "label": False}],
    KTO,
)
example(
    "unpaired/conversational/types",
    [{"prompt": [user(SKY)], "completion": [assistant("It is blue.")], "label": True}],
    KTO,
)
example(
    "stepwise/table",
    [
        {
            "prompt": "Which number is larger, 9.8 or 9.11?",
            "completions": [
                "The fractional part of 9.8 is 0.8.",
                "The fractional part of 9.11 is 0.11.",
                "0.11 is greater than 0.8.",
                "Hence, 9.11 > 9.8.",
            ],
            "labels": [True, True, False, False],
        }
    ],
)
example(
    "stepwise/types",
    [
        {
            "prompt": "Which number is larger, 9.8 or 9.11?",
            "completions": [
                "The fractional part of 9.8 is 0.8, while the fractional part of 9.11 is 0.11.",
                "Since 0.11 is greater than 0.8, the number 9.11 is larger than 9.8.",
            ],
            "labels": [True, False],
        }
    ],
)
# "Formats": tool calling (the `tools` column as a list, and as the JSON string older `datasets` need) and Harmony.
example("tool_calling/tools_list", [{"messages": TOOL_CALL_MESSAGES, "tools": [CONTROL_LIGHT]}], SFT)
example("tool_calling/tools_json_string", [{"messages": TOOL_CALL_MESSAGES, "tools": json.dumps([CONTROL_LIGHT])}], SFT)
example(
    "harmony/developer_thinking",
    [
        {
            "messages": [
                {"role": "developer", "content": "Use a friendly tone."},
                user("What is the meaning of life?"),
                {"role": "assistant", "thinking": "Deep reflection...", "content": "The final answer is..."},
            ]
        }
    ],
    SFT,
)
# "Utilities for converting dataset types": the datasets built there, and the rows they print.
example(
    "convert/prompt_completion/standard_rows",
    rows({"prompt": ["The sky is", "The sun is"], "completion": [" blue.", " in the sky."]}),
    SFT,
)
example(
    "convert/preference/standard/implicit_rows",
    rows(
        {
            "chosen": ["The sky is blue.", "The sun is in the sky."],
            "rejected": ["The sky is green.", "The sun is in the sea."],
        }
    ),
    PREFERENCE,
    KTO,
)
example("convert/preference/conversational/implicit_rows", rows(SKY_SUN_IMPLICIT), PREFERENCE, KTO)
example("convert/preference/conversational/explicit_rows", rows(SKY_SUN_EXPLICIT), PREFERENCE, KTO)
example("convert/preference/standard/explicit_rows", rows(SKY_SUN_STANDARD), PREFERENCE, KTO)
example("convert/unpaired/standard_rows", rows(UNPAIRED_ROWS), KTO)
example("convert/stepwise/standard_rows", rows(STEPWISE_ROWS))
example(
    "convert/output/prompt_completion_conversational",
    [{"prompt": [user(SKY)], "completion": [assistant("It is blue.")]}],
    SFT,
)
example("convert/output/prompt_only_conversational", [{"prompt": [user(SKY)]}])
example("convert/output/prompt_only_standard", [{"prompt": "Blue light"}])
example(
    "convert/output/unpaired_from_stepwise",
    [{"prompt": "Blue light", "completion": " scatters more in the atmosphere, so the sky is green.", "label": False}],
    KTO,
)
example(
    "convert/output/language_modeling",
    [{"text": "Blue light scatters more in the atmosphere, so the sky is green."}],
    SFT,
)

# Conversations the guide shows only to explain chat templates; ftprep's trl-sft refuses them although
# SFTTrainer would train on them: an SFT record that ends in the user's turn teaches the model to ask.
# name -> (records, the finding code trl-sft reports)
TEMPLATE_ONLY: dict[str, tuple[list[dict], str]] = {
    "conversational/chat_templating": (
        [
            {
                "messages": [
                    user("Hello, how are you?"),
                    assistant("I'm doing great. How can I help you today?"),
                    user("I'd like to show off how chat templating works!"),
                ]
            }
        ],
        "semantic.last_not_assistant",
    ),
    "language_modeling/tip_user_only": ([{"messages": [user(SKY)]}], "semantic.no_assistant"),
}
