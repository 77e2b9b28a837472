import polars as pl
import pytest

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.records import EXAMPLE
from pipeline.sections import split_sections

DOC = """# Heat pump guide

## Frequently asked questions

### How long is the warranty on the HP-7?

Seven years on the compressor and two years on other parts.

## Support answers

Q: How do I reset the Hub?
A: Hold the reset button for ten seconds
until the light blinks blue.

Q: What does E101 mean?
A: The outdoor sensor is disconnected.

## Defrost cycle

In cold, damp weather the outdoor unit collects ice. The heat pump reverses for two to six minutes to melt it, which is why steam can be seen.

## Glossary

COP: coefficient of performance, heat out divided by electricity in, a number that is long enough.
"""


def documents(text: str = DOC) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": ["d1"], "source": ["guide.md"], "format": ["md"], "title": ["Heat pump guide"], "text": [text]}
    )


def run(cfg: GenerateConfig | None = None, text: str = DOC):
    cfg = cfg or GenerateConfig()
    docs = documents(text)
    return generate_extractive(split_sections(docs), docs, cfg)


def test_each_extractor_finds_its_pairs():
    kept, rejected = run()
    assert rejected.height == 0
    pairs = [(task, m[0]["content"], m[1]["content"]) for task, m in kept.select("task", "messages").iter_rows()]
    assert pairs == [
        ("faq", "How long is the warranty on the HP-7?", "Seven years on the compressor and two years on other parts."),
        ("qa", "How do I reset the Hub?", "Hold the reset button for ten seconds\nuntil the light blinks blue."),
        ("qa", "What does E101 mean?", "The outdoor sensor is disconnected."),
        ("heading", "Can you give me an overview of Defrost cycle (Heat pump guide)?", pairs[3][2]),
    ]
    assert pairs[3][2].startswith("In cold, damp weather")


def test_every_answer_is_its_exact_source_span():
    kept, _ = run()
    for (answer,), start, end in zip(
        kept.select(pl.col("messages").list.last().struct.field("content")).iter_rows(),
        kept["span_start"],
        kept["span_end"],
        strict=True,
    ):
        assert DOC.strip("\n")[start:end] == answer


def test_ids_are_stable_and_unique():
    first, _ = run()
    second, _ = run()
    assert first["id"].to_list() == second["id"].to_list()
    assert first["id"].n_unique() == first.height
    assert first.schema == EXAMPLE


@pytest.mark.parametrize(("extractors", "tasks"), [(["faq"], {"faq"}), (["qa"], {"qa"}), (["heading"], {"heading"})])
def test_extractors_can_be_chosen(extractors, tasks):
    kept, _ = run(GenerateConfig(extractors=extractors))
    assert set(kept["task"]) == tasks


def test_system_prompt_comes_from_config():
    kept, _ = run(GenerateConfig(system_prompt="Be brief."))
    assert set(kept["system"]) == {"Be brief."}


def test_caps_reject_with_a_reason():
    kept, rejected = run(GenerateConfig(max_per_section=1))
    assert kept.filter(pl.col("task") == "qa").height == 1
    assert rejected.select("reject_stage", "reject_reason").rows() == [("generate", "over_cap")]


def test_a_document_without_examples_is_rejected():
    kept, rejected = run(text="just a short line")
    assert kept.height == 0
    assert rejected.select("kind", "reject_reason").rows() == [("document", "no_examples")]


def test_template_choice_depends_on_seed_only():
    prompts = {
        run(GenerateConfig(seed=seed))[0].filter(pl.col("task") == "heading")["messages"][0][0]["content"]
        for seed in range(12)
    }
    assert len(prompts) > 1
