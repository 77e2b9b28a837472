import polars as pl
import pytest

from pipeline.config import GenerateConfig
from pipeline.conflicts import reject_ambiguous
from pipeline.generate.extractive import EXTRACTORS, generate_extractive, reject_barren_documents
from pipeline.grounding import check_grounding
from pipeline.records import EXAMPLE
from pipeline.sections import split_sections

DOC = """# Heat pump guide

The HP-7 is our smallest heat pump for flats and small houses. It runs quietly and needs little space.

## Frequently asked questions

### How long is the warranty on the HP-7?

Seven years on the compressor and two years on other parts.

### Can it heat water?

Yes, up to 55 °C in a 200 litre cylinder.

## Support answers

Q: How do I reset the Hub?
A: Hold the reset button for ten seconds
until the light blinks blue.

## Defrost cycle of the HP-7

In cold, damp weather the outdoor unit collects ice. The heat pump reverses for two to six minutes to melt it, which is why steam can be seen. Heating resumes on its own afterwards, and no action is needed. If defrosting happens more than twice an hour, check that the outdoor unit is clear of leaves and snow, and that nothing blocks the airflow around it.

## Glossary

COP: coefficient of performance, heat out divided by electricity in.

## Models

| Model | Output |
|---|---|
| HP-7 | 7 kW |

## Safety checks before servicing

- Switch off the mains.
- Check the pressure gauge.

## A call

Agent: Brightwater, how can I help?
Customer: My pump is loud.
Agent: Check the feet are level, then call us again.
"""

EXPECTED = [
    # the definition extractor is off by default
    # "Heat pump guide" has sub-sections: its own body is an introduction, left to them
    ("faq", "How long is the warranty on the HP-7?", "Seven years on the compressor and two years on other parts."),
    ("faq", "Can it heat water?", "Yes, up to 55 °C in a 200 litre cylinder."),
    ("qa", "How do I reset the Hub?", "Hold the reset button for ten seconds\nuntil the light blinks blue."),
    ("heading", "Can you tell me about the defrost cycle of the HP-7?", None),
    ("glossary", "What does COP stand for?", "coefficient of performance, heat out divided by electricity in."),
    ("table_cell", "What is the output of the HP-7 model?", "7 kW"),
    # "Safety checks before servicing" is a list: the list extractor is off by default
    ("dialogue", "My pump is loud.", "Check the feet are level, then call us again."),
]


def documents(text: str = DOC) -> pl.DataFrame:
    title = text.split("\n", 1)[0].removeprefix("# ") if text.startswith("# ") else "Heat pump guide"
    return pl.DataFrame({"doc_id": ["d1"], "source": ["guide.md"], "format": ["md"], "title": [title], "text": [text]})


def run(cfg: GenerateConfig | None = None, text: str = DOC):
    docs = documents(text)
    return generate_extractive(split_sections(docs), cfg or GenerateConfig())


def test_each_extractor_finds_its_pairs():
    kept, rejected = run()
    assert rejected.height == 0
    found = [(task, m[-2]["content"], m[-1]["content"]) for task, m in kept.select("task", "messages").iter_rows()]
    assert [
        (task, question, answer if expected is not None else None)
        for (task, question, answer), (_, _, expected) in zip(found, EXPECTED, strict=True)
    ] == EXPECTED


def test_dialogue_is_multi_turn():
    kept, _ = run(GenerateConfig(extractors=["dialogue"]))
    assert [m["role"] for m in kept["messages"][0]] == ["user", "assistant"]
    assert kept["messages"][0][0]["content"] == "My pump is loud."


def test_every_answer_is_its_source_span_and_passes_grounding():
    kept, _ = run()
    text = DOC.strip("\n")
    single = kept.filter(pl.col("task") != "dialogue")
    for messages, start, end in single.select("messages", "span_start", "span_end").iter_rows():
        assert text[start:end] == messages[-1]["content"]
    grounded = check_grounding(kept, documents(text))
    assert grounded.rejected.height == 0 and grounded.kept.height == kept.height


def test_grounding_rejects_an_altered_answer():
    kept, _ = run(GenerateConfig(extractors=["faq"]))
    tampered = kept.with_columns(
        messages=pl.col("messages").list.eval(
            pl.struct(
                role=pl.element().struct.field("role"),
                content=pl.element().struct.field("content").str.replace("Seven", "Ten"),
            )
        )
    )
    result = check_grounding(tampered, documents(DOC.strip("\n")))
    assert result.rejected.select("reject_reason").to_series().to_list() == ["ungrounded"]
    assert result.rejected["reject_detail"][0].startswith("answer is not the text of guide.md[")


def test_imported_examples_pass_grounding_unchecked():
    row = {
        "id": "i",
        "kind": "sft",
        "task": "imported",
        "doc_id": "x",
        "source": "d.jsonl:1",
        "generator": "import:alpaca",
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
    }
    assert check_grounding(pl.DataFrame([row], schema=EXAMPLE), documents()).kept.height == 1


def test_ids_are_stable_and_unique():
    first, _ = run()
    second, _ = run()
    assert first["id"].to_list() == second["id"].to_list()
    assert first["id"].n_unique() == first.height and first.schema == EXAMPLE


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_each_extractor_can_run_alone(name):
    kept, _ = run(GenerateConfig(extractors=[name]))
    assert kept.height >= 1 and set(kept["generator"]) == {f"extractive:{'table_cell' if name == 'table' else name}"}


def test_system_prompt_comes_from_config():
    kept, _ = run(GenerateConfig(system_prompt="Be brief."))
    assert set(kept["system"]) == {"Be brief."}


def test_caps_reject_with_a_reason():
    two = DOC.replace(
        "until the light blinks blue.",
        "until the light blinks blue.\n\nQ: Where is the serial number?\nA: On the back.",
    )
    kept, rejected = run(GenerateConfig(max_per_section=1), text=two)
    assert (
        kept.filter(pl.col("section").str.ends_with("Support answers")).height == 1
    )  # the first kept, the second over the cap
    assert set(rejected["reject_reason"]) == {"over_cap"}


BRANCHES = "# Branches\n\n## Opening hours\n\n| Branch | Opening hours | Phone |\n|---|---|---|\n" + "\n".join(
    f"| Branch {letter} | Mon-Fri 09:00-1{n % 10}:00 | 0455 210 1{n:02} |"
    for n, letter in enumerate("ABCDEFGHIJKLMNOP")
)
BRANCHES_DOC = (
    BRANCHES
    + "\n\n## Parking at the branches\n\nEvery branch has free parking for two hours behind the building, bike racks by the door, and two charging points for electric cars. Blue badge holders can use the two wide bays by the main entrance at any time. Visitors sign in at reception and get a paper permit for the windscreen; staff use their badge at the barrier.\n"
)


def test_one_task_may_make_at_most_its_share_of_a_document_keeping_the_earliest():
    kept, rejected = run(text=BRANCHES_DOC)  # 16 table entries and 1 heading: 17 made, 0.4 x 17 -> 6 entries
    entries = kept.filter(pl.col("task") == "table_entry")
    assert entries.height == 6 and kept.filter(pl.col("task") == "heading").height == 1
    assert [m[0]["content"].split(" of ")[-1].split(" for ")[-1] for m in entries["messages"]] == [
        f"Branch {letter}?" for letter in "ABCDEF"
    ]
    assert set(rejected["reject_reason"]) == {"over_share"} and rejected.height == 10
    assert rejected["reject_detail"][0] == (
        "generate.max_share_per_kind: 0.4 keeps 6 table_entry examples of the 17 this document made"
    )


def test_the_share_cap_never_goes_below_five_one_lifts_it_and_a_page_of_one_kind_keeps_all():
    kept, rejected = run(text=BRANCHES)  # 16 entries and nothing else: a page of one kind is not capped
    assert kept.height == 16 and rejected.height == 0
    small = BRANCHES.split("| Branch F")[0] + BRANCHES_DOC[len(BRANCHES) :]  # 5 entries and a heading: 5 always pass
    assert run(text=small)[0].filter(pl.col("task") == "table_entry").height == 5
    assert run(GenerateConfig(max_share_per_kind=0.1), text=BRANCHES_DOC)[0].height == 6  # 5 entries, 1 heading
    assert run(GenerateConfig(max_share_per_kind=1.0), text=BRANCHES_DOC)[1].height == 0


def test_share_and_caps_count_each_document_on_its_own():
    docs = pl.concat([documents(BRANCHES_DOC), documents(DOC).with_columns(doc_id=pl.lit("d2"), source=pl.lit("b.md"))])
    kept, rejected = generate_extractive(split_sections(docs), GenerateConfig())
    assert kept.filter(pl.col("doc_id") == "d2").height == len(EXPECTED)
    assert rejected.filter(pl.col("doc_id") == "d1").height == 10


def test_faq_conversations_group_consecutive_pairs():
    kept, _ = run(GenerateConfig(extractors=["faq"], faq_conversations=True))
    assert kept["task"].to_list() == ["faq_conversation"]
    assert [m["role"] for m in kept["messages"][0]] == ["user", "assistant", "user", "assistant"]
    assert check_grounding(kept, documents(DOC.strip("\n"))).kept.height == 1


def test_plain_terms_outside_a_glossary_are_not_definitions():
    kept, _ = run(
        GenerateConfig(extractors=["glossary"]), text="# T\n\n## Notes\n\nNote: call us first.\nTip: keep the receipt."
    )
    assert kept.height == 0


def test_a_document_without_examples_is_rejected():
    kept, _ = run(text="just a short line")
    rejected = reject_barren_documents(documents("just a short line"), kept, ["faq"])
    assert rejected.select("kind", "reject_reason", "reject_detail").rows() == [
        ("document", "no_examples", "no section matched an extractor (faq)")
    ]


def test_template_choice_depends_on_seed():
    prompts = {
        run(GenerateConfig(seed=seed, extractors=["heading"]))[0]["messages"][0][0]["content"] for seed in range(12)
    }
    assert len(prompts) > 1


def test_a_section_before_a_bodiless_heading_is_not_a_parent():
    """ "## Frequently asked questions" has no body of its own: the questions under it are not children of the
    section before it, which keeps its example."""
    text = (
        "# Brightwater Cell\n\n## Backup power for the Brightwater Cell\n\nDuring a power cut the Cell keeps the "
        "lights, fridge and router running for about ten hours. It switches over in under a second, so clocks "
        "and computers stay on, and it recharges from solar or the grid when power returns. The app shows how many hours are left, and you can choose which circuits stay on in the backup settings.\n\n"
        "## Frequently asked questions\n\n### Can the Cell run a heat pump?\n\nNo, not during a power cut.\n"
    )
    kept, _ = run(text=text)
    assert kept.filter(pl.col("task") == "heading")["section"].to_list() == [
        "Brightwater Cell > Backup power for the Brightwater Cell"
    ]


def test_one_question_with_different_answers_on_two_pages_is_ambiguous():
    body = (
        "## Records retention for shared tools\n\n{} keeps records for six years, and exports are reviewed by the "
        "records officer before anything is deleted or moved elsewhere. Records of contracts stay for ten years, and "
        "records of grants for seven. Ask the records officer before deleting a board, and export it as a PDF "
        "first, so that the team keeps a copy it can search.\n"
    )
    docs = pl.concat(
        [
            documents("# Collaboration tools\n\n" + body.format("GitHub")),
            documents("# Drawing boards\n\n" + body.format("Mural")).with_columns(
                doc_id=pl.lit("d2"), source=pl.lit("m.md")
            ),
        ]
    )
    made = generate_extractive(split_sections(docs), GenerateConfig()).kept
    assert made.height == 2
    kept, rejected = reject_ambiguous(made)
    assert kept.height == 0
    assert rejected["reject_reason"].to_list() == ["ambiguous_prompt", "ambiguous_prompt"]
    assert rejected["reject_detail"][0] == "the same question is made from 2 pages with 2 different answers"
