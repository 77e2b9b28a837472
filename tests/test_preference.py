"""Preference pairs: imports of every format, rated responses, and verified negatives from documents."""

import json

import polars as pl
import pytest

from pipeline.config import GenerateConfig, IngestConfig, PreferenceConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.preference import build_negative_pairs, difference, key_sentence, truncated
from pipeline.ingest import Importing, read_sources
from pipeline.sections import split_sections
from tests.conftest import write_files

PREFERENCE = Importing("preference", PreferenceConfig())


def imported(tmp_path, name: str, records: list, importing: Importing = PREFERENCE, extra: dict | None = None):
    write_files(tmp_path, {name: "\n".join(json.dumps(r) for r in records) + "\n", **(extra or {})})
    return read_sources([tmp_path], IngestConfig(), importing)


@pytest.mark.parametrize(
    ("record", "fmt", "prompt_turns", "system"),
    [
        ({"prompt": "Q?", "chosen": "Good.", "rejected": "Bad."}, "trl-preference", 1, None),
        (
            {
                "chosen": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "Good."}],
                "rejected": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "Bad."}],
            },
            "trl-preference",
            1,
            None,
        ),
        (
            {
                "prompt": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Q?"}],
                "chosen": [{"role": "assistant", "content": "Good."}],
                "rejected": [{"role": "assistant", "content": "Bad."}],
            },
            "trl-preference",
            1,
            "Be kind.",
        ),
        (
            {
                "input": {"messages": [{"role": "user", "content": "Q?"}]},
                "preferred_output": [{"role": "assistant", "content": "Good."}],
                "non_preferred_output": [{"role": "assistant", "content": "Bad."}],
            },
            "openai-dpo",
            1,
            None,
        ),
        (
            {
                "conversations": [
                    {"from": "human", "value": "Q?"},
                    {"from": "gpt", "value": "A."},
                    {"from": "human", "value": "Q2?"},
                ],
                "chosen": {"from": "gpt", "value": "Good."},
                "rejected": {"from": "gpt", "value": "Bad."},
                "system": "Be kind.",
            },
            "sharegpt-dpo",
            3,
            "Be kind.",
        ),
        ({"instruction": "Q?", "input": "ctx", "chosen": "Good.", "rejected": "Bad."}, "alpaca-preference", 1, None),
    ],
)
def test_preference_formats_are_imported(tmp_path, record, fmt, prompt_turns, system):
    ingested = imported(tmp_path, "prefs.jsonl", [record])
    assert ingested.rejected.height == 0
    row = ingested.examples.row(0, named=True)
    assert (row["kind"], row["generator"], row["chosen"], row["rejected"]) == (
        "preference",
        f"import:{fmt}",
        "Good.",
        "Bad.",
    )
    assert len(row["messages"]) == prompt_turns and row["messages"][-1]["role"] == "user" and row["system"] == system


def test_implicit_prompts_must_match(tmp_path):
    record = {
        "chosen": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "Good."}],
        "rejected": [{"role": "user", "content": "Other?"}, {"role": "assistant", "content": "Bad."}],
    }
    ingested = imported(tmp_path, "prefs.jsonl", [record])
    assert ingested.rejected.select("kind", "reject_reason").row(0) == ("preference", "prompt_mismatch")


@pytest.mark.parametrize("importing", [PREFERENCE, Importing()], ids=["preference", "sft"])
def test_a_line_that_is_not_an_object_is_rejected(tmp_path, importing):
    pair = {"prompt": "Q?", "chosen": "Good.", "rejected": "Bad."}
    ingested = imported(tmp_path, "prefs.jsonl", [pair, ["a", "list"], "text", pair], importing)
    assert ingested.examples.height == 2
    assert ingested.rejected.select("source", "reject_reason", "reject_detail").rows() == [
        (f"{tmp_path.name}/prefs.jsonl:2", "not_an_object", "a JSON list, expected an object"),
        (f"{tmp_path.name}/prefs.jsonl:3", "not_an_object", "a JSON str, expected an object"),
    ]


def test_kto_rows_keep_their_label(tmp_path):
    ingested = imported(tmp_path, "kto.jsonl", [{"prompt": "Q?", "completion": "A.", "label": False}])
    row = ingested.examples.row(0, named=True)
    assert (row["kind"], row["chosen"], row["label"]) == ("kto", "A.", False)


def rated(*scores, key="score"):
    return {
        "prompt": "How do I reset the Hub?",
        "responses": [{"text": f"Answer {i}", key: s} for i, s in enumerate(scores)],
    }


@pytest.mark.parametrize(
    ("record", "cfg", "pairs"),
    [
        (rated(5, 2, 4), PreferenceConfig(), [("Answer 0", "Answer 1", "scores 5 vs 2 (responses 0 and 1)")]),
        (
            rated(1, 3, 2, key="rank"),
            PreferenceConfig(),
            [("Answer 0", "Answer 1", "scores -1 vs -3 (responses 0 and 1)")],
        ),
        (
            rated("down", "up", key="thumbs"),
            PreferenceConfig(),
            [("Answer 1", "Answer 0", "scores 1 vs 0 (responses 1 and 0)")],
        ),
        (
            rated(5, 4, 1),
            PreferenceConfig(rated_pairs="all", min_margin=2),
            [("Answer 0", "Answer 2", None), ("Answer 1", "Answer 2", None)],
        ),
    ],
)
def test_rated_responses_become_pairs(tmp_path, record, cfg, pairs):
    ingested = imported(tmp_path, "ratings.jsonl", [record], Importing("preference", cfg))
    got = [
        (c, r, rationale if pairs[0][2] else None)
        for c, r, rationale in ingested.examples.select("chosen", "rejected", "rationale").rows()
    ]
    assert got == pairs
    assert set(ingested.examples["negative"]) == {"rating"}


def test_ties_are_rejected_with_the_scores(tmp_path):
    ingested = imported(tmp_path, "ratings.jsonl", [rated(3, 3, 3)])
    assert ingested.rejected.select("reject_reason", "reject_detail").row(0) == (
        "tie",
        "scores 3, 3, 3: no two differ by preference.min_margin = 1",
    )


def test_sft_runs_learn_the_preferred_answer(tmp_path):
    files = {
        "a.jsonl": json.dumps(rated(3, 3)),
        "b.jsonl": json.dumps({"prompt": "Q?", "chosen": "Good.", "rejected": "Bad."}),
        "c.jsonl": json.dumps({"prompt": "Q?", "completion": "A.", "label": False}),
    }
    write_files(tmp_path, files)
    ingested = read_sources([tmp_path], IngestConfig(), Importing())
    assert [m[-1]["content"] for m in ingested.examples["messages"]] == ["Answer 0", "Good."]
    assert ingested.rejected["reject_reason"].to_list() == ["undesirable_completion"]


def test_one_format_per_file_names_the_missing_key(tmp_path):
    good = {
        "conversations": [{"from": "human", "value": "Q?"}],
        "chosen": {"from": "gpt", "value": "A."},
        "rejected": {"from": "gpt", "value": "B."},
    }
    ingested = imported(tmp_path, "dpo.jsonl", [good, good, {k: v for k, v in good.items() if k != "chosen"}])
    assert ingested.rejected.select("reject_reason", "reject_detail").row(0) == (
        "invalid_record",
        "chosen: NoneType, expected an assistant answer (string or one turn)",
    )


def test_llama_factory_dpo_with_invalid_rows(tmp_path):
    info = {
        "dpo": {
            "file_name": "dpo.json",
            "formatting": "sharegpt",
            "ranking": True,
            "columns": {"messages": "conversations"},
        }
    }
    good = {
        "conversations": [{"from": "human", "value": "Q?"}],
        "chosen": {"from": "gpt", "value": "Good."},
        "rejected": {"from": "gpt", "value": "Bad."},
    }
    rows = [
        good,
        {**good, "chosen": None},
        {**good, "rejected": {"from": "gpt", "value": 3}},
        {**good, "conversations": [{"from": "gpt", "value": "x"}]},
    ]
    write_files(tmp_path, {"dataset_info.json": json.dumps(info), "dpo.json": json.dumps(rows)})
    ingested = read_sources([tmp_path], IngestConfig(), PREFERENCE)
    assert ingested.examples.height == 1 and ingested.examples["generator"][0] == "import:sharegpt-dpo"
    assert ingested.rejected.select("source", "reject_reason", "reject_detail").rows() == [
        (
            f"{tmp_path.name}/dpo.json#2",
            "invalid_record",
            "chosen: NoneType, expected an assistant answer (string or one turn)",
        ),
        (
            f"{tmp_path.name}/dpo.json#3",
            "invalid_record",
            "rejected: int, expected an assistant answer (string or one turn)",
        ),
        (f"{tmp_path.name}/dpo.json#4", "invalid_record", "prompt: turn 1 is 'assistant', expected 'user'"),
    ]


GUIDE = """# Heat pump guide

## Frequently asked questions

### How long is the warranty on the HP-7?

The HP-7 is built for small homes. Its warranty lasts seven years on the compressor and two years on other parts.

### How long is the warranty on the battery?

The Brightwater Cell has a ten-year warranty on capacity, covering at least 70 percent of its original storage.

### How do I reset the Hub?

Hold the reset button for ten seconds until the light blinks blue, then wait for the app to reconnect.
"""
OTHER = """# Tariffs

## Frequently asked questions

### When are the off-peak hours on Brightwater Flex?

Off-peak hours run from midnight to six in the morning every day, including weekends and holidays.

### How long is the warranty on the HP-5?

The HP-5 is covered for five years from purchase, and registering it within thirty days adds a sixth year.
"""


def documents(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"doc_id": name, "source": f"{name}.md", "format": "md", "title": name, "text": text.strip()}
            for name, text in texts.items()
        ]
    )


def pairs_of(texts: dict[str, str], cfg: PreferenceConfig):
    docs = documents(texts)
    sections = split_sections(docs)
    sft = generate_extractive(sections, GenerateConfig(extractors=["faq"])).kept
    return build_negative_pairs(sft, sections, cfg)


@pytest.mark.parametrize("negative", ["wrong_section", "other_document", "truncated"])
def test_each_negative_kind_is_built_and_verified(negative):
    kept, rejected = pairs_of({"guide": GUIDE, "tariffs": OTHER}, PreferenceConfig(negatives=[negative]))
    assert kept.height >= 1 and set(kept["negative"]) == {negative}
    for chosen, rejected_text in kept.select("chosen", "rejected").iter_rows():
        assert difference(chosen, rejected_text) >= 0.25 and chosen != rejected_text
    assert (kept.height + rejected.height) >= 1


def test_wrong_section_takes_the_most_similar_question():
    kept, _ = pairs_of({"guide": GUIDE, "tariffs": OTHER}, PreferenceConfig(negatives=["wrong_section"]))
    hp7 = kept.filter(
        pl.col("messages").list.first().struct.field("content") == "How long is the warranty on the HP-7?"
    )
    assert hp7["rejected"][0].startswith("The Brightwater Cell has a ten-year warranty")


def test_truncated_cuts_before_the_answering_sentence():
    question = "How long is the warranty on the HP-7?"
    answer = "The HP-7 is built for small homes. Its warranty lasts seven years on the compressor and two years on other parts."
    assert key_sentence(question, answer)[0] == 1
    assert truncated(question, answer) == ("The HP-7 is built for small homes.", 1)
    assert truncated(question, "Seven years.") is None


def test_a_negative_that_is_in_fact_grounded_is_rejected():
    hp7 = GUIDE.split("### How long is the warranty on the battery?")[0].split(
        "### How long is the warranty on the HP-7?"
    )[1]
    archive = f"# Heat pump archive\n\n## Frequently asked questions\n\n### What does the HP-7 cover?\n{hp7}"
    kept, rejected = pairs_of({"guide": GUIDE, "archive": archive}, PreferenceConfig(negatives=["other_document"]))
    grounded = rejected.filter(pl.col("reject_reason") == "negative_is_grounded")
    assert grounded["messages"].list.first().struct.field("content").to_list() == [
        "How long is the warranty on the HP-7?"
    ]
    assert grounded["reject_detail"][0] == "the rejected answer contains the sentence that answers the question"
    assert not kept["rejected"].str.contains("Its warranty lasts seven years").any()


def test_an_answer_with_no_possible_negative_is_rejected():
    kept, rejected = pairs_of({"guide": OTHER}, PreferenceConfig(negatives=["truncated"]))
    assert kept.height == 0 and rejected["reject_reason"].to_list() == ["no_negative"] * 2
