"""The worst files in the folder: every one ends as a document or a reject with a reason, never a crash,
with bounded memory, and the ledger still balances; `validate` reports them in one clear line each."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
ROOT = Path(__file__).resolve().parents[1]
BIG = 50 * 1024 * 1024


def hostile_folder(tmp_path: Path) -> Path:
    """The committed corpus plus what git cannot hold: a 50 MB line, a FIFO, a symlink loop, an unreadable file."""
    folder = tmp_path / "hostile"
    shutil.copytree(HOSTILE, folder)
    (folder / "README.md").unlink()
    word = b"heat pump warranty tariff "
    (folder / "one-line-50mb.txt").write_bytes(word * (BIG // len(word)))
    (folder / "one-line-50mb.jsonl").write_bytes(b'{"text": "' + word * (BIG // len(word)) + b'"}\n')
    os.mkfifo(folder / "named-pipe.txt")
    (folder / "loop-a.md").symlink_to(folder / "loop-b.md")
    (folder / "loop-b.md").symlink_to(folder / "loop-a.md")
    locked = folder / "locked.md"
    locked.write_text("# Locked\n\nNobody may read this.\n")
    locked.chmod(0)
    return folder


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    code = (
        "import resource, sys\nfrom flows.cli import main\ncode = main(sys.argv[1:])\n"
        "print('PEAK_MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)\nsys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def peak_mb(stderr: str) -> int:
    return int(stderr.rsplit("PEAK_MB", 1)[1].split()[0])


@pytest.mark.slow
def test_prepare_accounts_for_every_hostile_file(tmp_path):
    folder = hostile_folder(tmp_path)
    out = tmp_path / "out"
    done = run("prepare", str(folder), "--out", str(out), "--runner", "local")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((out / "report.json").read_text())
    docs = report["ledger"]["documents"]
    assert docs["inputs"] == docs["used"] + docs["rejected"]
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    named = {Path(r["source"].split(":")[0].split("#")[0]).name for r in rejects}
    named |= {Path(row["source"]).name for row in report["by_source"]}
    assert named >= {path.name for path in folder.iterdir()}  # every file is accounted for somewhere
    reasons = {
        Path(r["source"]).name: f"{r['reject_stage']}.{r['reject_reason']}" for r in rejects if r["kind"] == "document"
    }
    expected = {
        "binary.txt": "ingest.binary",
        "invalid-utf8.md": "ingest.encoding",
        "empty.md": "ingest.empty",
        "whitespace-only.txt": "ingest.empty",
        "corrupt.pdf": "ingest.unreadable",
        "not-a-zip.docx": "ingest.unreadable",
        "truncated-zip.docx": "ingest.unreadable",
        "named-pipe.txt": "ingest.not_a_file",
        "loop-a.md": "ingest.unreadable",
        "loop-b.md": "ingest.unreadable",
    }
    for name, reason in expected.items():
        assert reasons.get(name) == reason, (name, reasons.get(name))
    if os.geteuid() != 0:  # root reads any file, so only other users see the locked one rejected
        assert reasons["locked.md"] == "ingest.unreadable"
    records = {
        (Path(r["source"]).name, r["reject_reason"], r["reject_detail"]) for r in rejects if ".jsonl:" in r["source"]
    }
    assert records >= {
        ("nan-infinity.jsonl:1", "invalid_json", "NaN is not valid JSON; use null or a number"),
        ("nan-infinity.jsonl:2", "invalid_json", "Infinity is not valid JSON; use null or a number"),
        (
            "duplicate-keys.jsonl:1",
            "duplicate_key",
            "key 'messages' appears twice in one object; which value is meant?",
        ),
        ("deeply-nested.jsonl:1", "invalid_json", "nesting too deep"),
    }
    assert reasons["utf16-bom.txt"] == "generate.no_examples"  # decoded fine; one paragraph has nothing to ask
    used = {Path(source["source"]).name for source in report["by_source"] if source["train"] + source["validation"]}
    assert {"script-iframe.html", "zero-width-bidi.md"} <= used
    train = (out / "train.jsonl").read_text()
    assert "alert(" not in train and "<script" not in train and "evil.example" not in train
    assert "\u202e" not in train and "\u200b" not in train
    assert report["reliability"]["documents_rejected"] == docs["rejected"]
    assert peak_mb(done.stderr) < 2_000  # a 50 MB line is read once, not copied per stage


@pytest.mark.slow
def test_validate_reports_hostile_jsonl_without_crashing(tmp_path):
    folder = hostile_folder(tmp_path)
    for name in (
        "deeply-nested.jsonl",
        "nan-infinity.jsonl",
        "duplicate-keys.jsonl",
        "binary.txt",
        "one-line-50mb.jsonl",
    ):
        done = run("validate", str(folder / name), "--json")
        assert done.returncode == 1, (name, done.stderr[-500:])
        assert "Traceback" not in done.stderr
        result = json.loads(done.stdout)
        assert result["errors"] and all(error["code"] for error in result["errors"])
        assert peak_mb(done.stderr) < 1_000, name
    done = run("validate", str(folder / "named-pipe.txt"))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "named-pipe.txt" in done.stderr


def test_out_must_be_empty_new_or_an_earlier_run(tmp_path, capsys):
    from flows.cli import main

    (tmp_path / "doc.md").write_text("# Warranty\n\n## How long is the warranty?\n\nSeven years on the compressor.\n")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    args = ["prepare", str(tmp_path / "doc.md"), "--runner", "local", "--out"]
    assert main([*args, str(foreign)]) == 1
    assert "not empty and not an ftprep run folder" in capsys.readouterr().err
    assert sorted(path.name for path in foreign.iterdir()) == ["holiday.jpg"]  # nothing written
    assert main([*args, str(foreign), "--force"]) == 0
    run = tmp_path / "run"
    assert main([*args, str(run)]) == 0 and main([*args, str(run)]) == 0  # a run folder may be written again
    assert not list(run.glob(".*.partial")) and not list(run.rglob("*.partial"))
    (run / ".train.jsonl.999.partial").write_text("half a file from a killed run")
    assert main([*args, str(run)]) == 0 and not list(run.rglob("*.partial"))  # cleared on the next run
