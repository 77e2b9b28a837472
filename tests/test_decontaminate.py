"""Decontamination against eval sets: readers, the two overlap tests, and errors that name the file."""

import json

import pytest

from flows.cli import main
from pipeline.config import DedupConfig
from pipeline.decontaminate import drop_contaminated, read_eval_items
from pipeline.errors import InputError
from tests.frames import sft_examples as examples

PASSAGE = (
    "The HP-7 comes with a 5-year parts and labour warranty, and the compressor is covered for 10 years "
    "if you keep an active CarePlan."
)


def test_readers(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"question": "Q one?", "answer": "A one."})
        + "\n\n"
        + json.dumps({"messages": [{"role": "user", "content": "Q two?"}]})
        + "\n"
    )
    (tmp_path / "b.csv").write_text("question,answer\nQ three?,A three.\n")
    (tmp_path / "c.txt").write_text("Q four?\n\n  \nQ five?\n")
    (tmp_path / "d.json").write_text(json.dumps([{"prompt": "Q six?"}]))
    items = read_eval_items([str(tmp_path / name) for name in ("a.jsonl", "b.csv", "c.txt", "d.json")])
    assert items["text"].to_list() == [
        *("Q one?", "A one.", "user", "Q two?", "question", "answer", "Q three?", "A three."),
        *("Q four?", "Q five?", "Q six?"),
    ]
    assert items["item"][0].endswith("a.jsonl:1") and items["item"][2].endswith("a.jsonl:3")


def test_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(InputError, match=r"missing\.jsonl: no such eval file"):
        read_eval_items([str(tmp_path / "missing.jsonl")])
    (tmp_path / "bad.jsonl").write_text('{"q": 1}\n{oops\n')
    with pytest.raises(InputError, match=r"bad.jsonl: line 2: not JSON"):
        read_eval_items([str(tmp_path / "bad.jsonl")])


def test_passage_overlap_and_near_duplicate_prompts_are_rejected(tmp_path):
    (tmp_path / "eval.jsonl").write_text(
        json.dumps({"question": "How long is the warranty on the HP-7 heat pump?", "answer": PASSAGE}) + "\n"
    )
    items = read_eval_items([str(tmp_path / "eval.jsonl")])
    data = examples(
        [
            ("passage", "Tell me about cover.", "In short: " + PASSAGE),
            ("question", "How long is the warranty on the HP-7 heat pump?", "Five years."),
            ("clean", "Does the Hub work with 5 GHz Wi-Fi?", "No, only 2.4 GHz networks."),
        ]
    )
    result = drop_contaminated(data, items, DedupConfig())
    assert result.kept["id"].to_list() == ["clean"]
    details = dict(result.rejected.select("id", "reject_detail").iter_rows())
    assert (
        details["passage"].startswith("shares a 13-word passage with eval item")
        and "eval.jsonl:1" in details["passage"]
    )
    assert details["question"].startswith("prompt is a near duplicate of eval item")
    assert set(result.rejected["reject_reason"]) == {"eval_contamination"}


def test_cli_stops_on_a_missing_eval_file(tmp_path, capsys):
    (tmp_path / "doc.md").write_text("# Title\n\nSome text.\n")
    code = main(
        [
            "prepare",
            str(tmp_path / "doc.md"),
            "--out",
            str(tmp_path / "out"),
            "--runner",
            "local",
            "--eval",
            str(tmp_path / "nope.jsonl"),
        ]
    )
    assert code == 2
    assert "nope.jsonl: no such eval file" in capsys.readouterr().err
