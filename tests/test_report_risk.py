"""The overfitting-risk and quality report on constructed data whose right answer is known."""

import json
import random
import shutil
import subprocess
from html.parser import HTMLParser

import jsonschema
import polars as pl
import pytest
from test_report import RUN

from flows.cli import main
from pipeline.checks.jsonschemas import load_schema
from pipeline.config import DedupConfig
from pipeline.leakage import leakage, ngram_overlap
from pipeline.records import DOCUMENT, EXAMPLE, SECTION, reject
from pipeline.report import build_report
from pipeline.report.distinct import distinct_n
from pipeline.report.html import render_html
from pipeline.report.quality import EXAMPLES_PER_REASON, LISTED, coverage, language_mix, reject_examples
from pipeline.report.risk import gini, jensen_shannon, overfitting_risk


def passage(seed: int, length: int = 30) -> str:
    """Seeded text from a 2,000-word vocabulary: two passages share no 13-word run by chance."""
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(2_000)}" for _ in range(length))


def kept_frame(rows: list[dict]) -> pl.DataFrame:
    base = {"kind": "sft", "task": "faq", "doc_id": "d", "section": "s"}
    records = [
        {
            **base,
            "id": row["id"],
            "source": row.get("source", f"{row['id']}.md"),
            "task": row.get("task", "faq"),
            "messages": [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row["answer"]}],
        }
        for row in rows
    ]
    return pl.DataFrame(records, schema=EXAMPLE).with_columns(
        split=pl.Series([row["split"] for row in rows]),
        n_tokens=pl.lit(40),
        n_prompt_tokens=pl.lit(10),
        n_completion_tokens=pl.lit(30),
    )


def levels(risks: list[dict]) -> dict[str, str]:
    return {row["metric"]: row["level"] for row in risks}


def varied(count: int, split: str = "train", prefix: str = "t") -> list[dict]:
    start = sum(map(ord, prefix)) * 1_000  # other prefixes, other texts
    return [
        {
            "id": f"{prefix}{i}",
            "prompt": f"Question {passage(start + i, 8)}?",
            "answer": passage(start + 500 + i),
            "split": split,
        }
        for i in range(count)
    ]


def test_planted_leakage_is_found_and_rated_high():
    train = varied(150)
    held = [
        {"id": "v-copy", "prompt": train[3]["prompt"], "answer": train[3]["answer"], "split": "validation"},
        {"id": "v-passage", "prompt": "Other?", "answer": "intro " + train[9]["answer"][:120], "split": "validation"},
        *varied(10, "validation", "v"),
    ]
    kept = kept_frame(train + held)
    measured = leakage(kept, DedupConfig())
    assert measured["validation"]["near_duplicates"] == 1
    assert measured["validation"]["near_duplicate_pairs"][0]["held"] == "v-copy"
    assert set(measured["validation"]["ngram_overlap_ids"]) == {"v-copy", "v-passage"}
    found = levels(overfitting_risk(kept, measured, {}, RUN))
    assert found["validation_near_duplicates_of_train"] == "high"
    assert found["validation_13gram_overlap"] == "high"  # 2 of 12 share a passage


def test_clean_split_has_no_leakage():
    kept = kept_frame(varied(150) + varied(15, "validation", "v"))
    measured = leakage(kept, DedupConfig())
    assert measured["validation"]["near_duplicates"] == 0 and measured["validation"]["ngram_overlap"] == 0
    found = levels(overfitting_risk(kept, measured, {}, RUN))
    assert found["validation_near_duplicates_of_train"] == found["validation_13gram_overlap"] == "ok"


def test_ngram_overlap_needs_thirteen_words():
    train = pl.DataFrame({"id": ["t"], "text": [" ".join(f"w{i}" for i in range(20))]})
    held = pl.DataFrame(
        {
            "id": ["twelve", "thirteen"],
            "text": [" ".join(f"w{i}" for i in range(12)), " ".join(f"w{i}" for i in range(13))],
        }
    )
    assert ngram_overlap(train, held)["id"].to_list() == ["thirteen"]


def test_templated_prompts_and_reused_answers_are_flagged():
    rows = [
        {
            "id": f"t{i}",
            "prompt": f"What is the warranty of the Model {i} unit?",
            "answer": "Seven years.",
            "split": "train",
        }
        for i in range(120)
    ]
    found = levels(overfitting_risk(kept_frame(rows + varied(12, "validation", "v")), {}, {}, RUN))
    assert found["top_10_prompt_templates_share"] == "high"  # one template once names and numbers are masked
    assert found["answers_reused_across_prompts_share"] == "high"
    assert found["distinct_2_answers"] == "high"


def test_size_and_epochs():
    found = levels(overfitting_risk(kept_frame(varied(5) + varied(2, "validation", "v")), {}, {}, RUN))
    assert found["training_examples"] == "high"  # below openai-chat's minimum of 10
    assert found["default_epochs"] == "high"  # OpenAI's heuristic: 100 // 5 = 20 epochs
    found = levels(overfitting_risk(kept_frame(varied(300) + varied(30, "validation", "v")), {}, {}, RUN))
    assert found["training_examples"] == "ok" and found["default_epochs"] == "ok"


def test_concentration():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 10]) == 0.75
    rows = [{**row, "source": "one.md"} for row in varied(100)] + varied(5, prefix="x")
    found = levels(overfitting_risk(kept_frame(rows + varied(10, "validation", "v")), {}, {}, RUN))
    assert found["top_source_share"] == "high"


def test_representativeness():
    assert jensen_shannon({"a": 3, "b": 1}, {"a": 6, "b": 2}) == 0.0
    assert jensen_shannon({"a": 5}, {"b": 5}) == 1.0
    rows = [{**row, "task": "faq"} for row in varied(100)] + [
        {**row, "task": "table_row"} for row in varied(10, "validation", "v")
    ]
    assert levels(overfitting_risk(kept_frame(rows), {}, {}, RUN))["task_mix_divergence"] == "high"


def test_distinct_n():
    assert distinct_n(pl.Series(["a b c d"]), 1) == 1.0
    assert distinct_n(pl.Series(["a a a a"]), 1) == 0.25
    assert distinct_n(pl.Series(["a b a b a"]), 2) == 0.5  # ab ba ab ba


def test_coverage_names_what_yielded_nothing():
    documents = pl.DataFrame(
        [
            {"doc_id": "d1", "source": "a.md", "format": "md", "title": "A", "text": "x"},
            {"doc_id": "d2", "source": "b.md", "format": "md", "title": "B", "text": "y"},
        ],
        schema=DOCUMENT,
    )
    sections = pl.DataFrame(
        [
            {"doc_id": "d1", "source": "a.md", "section": "Used", "body_start": 0},
            {"doc_id": "d1", "source": "a.md", "section": "Prose only", "body_start": 10},
            {"doc_id": "d2", "source": "b.md", "section": "Rejected", "body_start": 0},
        ],
        schema=SECTION,
    )
    kept = kept_frame([{"id": "k", "prompt": "Q?", "answer": "A.", "split": "train"}]).with_columns(
        doc_id=pl.lit("d1"), section=pl.lit("Used"), source=pl.lit("a.md")
    )
    candidate = kept.drop("split", "n_tokens", "n_prompt_tokens", "n_completion_tokens").with_columns(
        id=pl.lit("r"), doc_id=pl.lit("d2"), section=pl.lit("Rejected"), source=pl.lit("b.md")
    )
    rejected = reject(candidate, "secret", "an API key").with_columns(reject_stage=pl.lit("quality"))
    found = coverage(documents, sections, kept, rejected)
    assert found["sections_with_examples"] == 1
    assert {(s["section"], s["reason"]) for s in found["sections_without_examples"]} == {
        ("Prose only", "no extractable block (FAQ, Q/A, definition, table, list or explained heading)"),
        ("Rejected", "every candidate rejected: quality.secret"),
    }
    assert found["documents_without_examples"] == [{"source": "b.md", "reason": "every candidate example was rejected"}]


def test_coverage_lists_the_first_empty_sections_with_their_reasons_and_counts_them_all():
    # Reasons are looked up for the listed sections only; the listing and the total must not depend on it.
    count = LISTED + 10
    documents = pl.DataFrame(
        [{"doc_id": "d", "source": "a.md", "format": "md", "title": "A", "text": "x"}], schema=DOCUMENT
    )
    sections = pl.DataFrame(
        [{"doc_id": "d", "source": "a.md", "section": f"S{i}", "body_start": 1000 - i} for i in range(count)],
        schema=SECTION,
    )
    kept = kept_frame([{"id": "k", "prompt": "Q?", "answer": "A.", "split": "train"}]).with_columns(
        doc_id=pl.lit("d"), section=pl.lit("S0"), source=pl.lit("a.md")
    )
    candidates = pl.concat(
        kept.drop("split", "n_tokens", "n_prompt_tokens", "n_completion_tokens").with_columns(
            id=pl.lit(f"r{i}"), section=pl.lit(f"S{i}")
        )
        for i in range(1, count, 2)
    )
    rejected = reject(candidates, "secret", "an API key").with_columns(reject_stage=pl.lit("quality"))
    found = coverage(documents, sections, kept, rejected)
    assert found["sections_without_examples_total"] == count - 1
    listed = [(row["section"], row["reason"]) for row in found["sections_without_examples"]]
    by_place = [f"S{i}" for i in range(count - 1, 0, -1)]  # in the document's order: body_start ascending
    nothing = "no extractable block (FAQ, Q/A, definition, table, list or explained heading)"
    assert listed == [
        (name, "every candidate rejected: quality.secret" if int(name[1:]) % 2 else nothing)
        for name in by_place[:LISTED]
    ]


def test_reject_examples_are_the_first_of_each_reason_by_source_and_id():
    rows = [
        {"id": f"x{i}", "prompt": f"Question {i}?", "answer": f"Answer {i}.", "split": "train", "source": f"s{i % 3}"}
        for i in range(8)
    ]
    examples = kept_frame(rows).drop("split", "n_tokens", "n_prompt_tokens", "n_completion_tokens")
    rejected = pl.concat(
        [
            reject(examples.head(5), "secret", "an API key").with_columns(reject_stage=pl.lit("quality")),
            reject(examples.tail(3), "near_duplicate", "near").with_columns(reject_stage=pl.lit("dedup")),
        ]
    )
    found = reject_examples(rejected.reverse())
    expected_secret = sorted((f"s{i % 3}", f"x{i}") for i in range(5))[:EXAMPLES_PER_REASON]
    assert [(row["source"], row["text"]) for row in found["quality.secret"]] == [
        (source, f"Question {ident[1:]}? → Answer {ident[1:]}.") for source, ident in expected_secret
    ]
    assert [row["detail"] for row in found["dedup.near_duplicate"]] == ["near"] * 3
    assert list(found) == ["dedup.near_duplicate", "quality.secret"]


def test_language_mix():
    rows = [
        {
            "id": "en",
            "prompt": "Q",
            "answer": "The unit is installed in the garage and it is covered for you.",
            "split": "train",
        },
        {
            "id": "de",
            "prompt": "Q",
            "answer": "Die Anlage ist nicht für den Keller und sie wird mit dem Zähler verbunden.",
            "split": "train",
        },
        {"id": "ru", "prompt": "Q", "answer": "Тепловой насос устанавливается снаружи дома.", "split": "train"},
        {"id": "short", "prompt": "Q", "answer": "42 kW", "split": "train"},
    ]
    assert language_mix(kept_frame(rows)) == {"de": 1, "en": 1, "ru": 1, "unknown": 1}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def hostile_report() -> dict:
    script = "<script>alert('x')</script>"
    rows = [
        {
            "id": f"t{i}",
            "prompt": f"{script} {passage(i, 8)}?",
            "answer": f"{passage(200 + i)} {script}",
            "split": "train",
            "source": f"{script}{i}.md",
        }
        for i in range(30)
    ] + varied(4, "validation", "v")
    kept = kept_frame(rows)
    documents = pl.DataFrame(
        [{"doc_id": "d", "source": script, "format": "md", "title": script, "text": "x"}], schema=DOCUMENT
    )
    rejected = reject(
        kept.head(1).drop("split", "n_tokens", "n_prompt_tokens", "n_completion_tokens").with_columns(id=pl.lit("r")),
        "secret",
        script,
    ).with_columns(reject_stage=pl.lit("quality"))
    return build_report(documents, kept, rejected, RUN, None, None, leakage(kept, DedupConfig()))


def test_no_script_element_comes_from_the_data():
    report = hostile_report()
    jsonschema.validate(report, load_schema("report"))
    page = render_html(report)
    parser = Elements()
    parser.feed(page)
    assert "script" not in parser.tags and "<script" not in page
    assert "&lt;script&gt;" in page
    assert {"svg", "table"} <= set(parser.tags)


def test_report_command_renders_again(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").write_text(json.dumps(hostile_report()), encoding="utf-8")
    assert main(["report", str(run)]) == 0
    assert "## Overfitting risk" in (run / "report.md").read_text(encoding="utf-8")
    assert "<svg" in (run / "report.html").read_text(encoding="utf-8")
    (run / "report.json").write_text('{"run": 1}', encoding="utf-8")
    assert main(["report", str(run)]) == 2
    assert "report.json" in capsys.readouterr().err


@pytest.mark.slow
def test_sample_report_opens_in_a_headless_browser(tmp_path):
    browser = next(
        (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
    )
    if browser is None:
        pytest.skip(
            "no chromium on this machine (Debian: apt install chromium); the HTML parser checks above still ran"
        )
    out = tmp_path / "run"
    assert (
        main(["prepare", "sample_data", "--config", "sample_data/ftprep.toml", "--out", str(out), "--runner", "local"])
        == 0
    )
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            (out / "report.html").resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Overfitting risk" in dom and "<svg" in dom and "<script" not in dom
