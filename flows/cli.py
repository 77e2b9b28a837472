"""The `ftprep` command: prepare, validate, report, artifact, targets. Errors become messages and exit codes here.

Exit codes: 0 success (also when the reader of our output goes away, a broken pipe); 1 the data has
errors (validate) or the run stopped on a condition the user must fix (a bad config, an unusable output
folder, a missing tokenizer); 2 usage errors or an input that cannot be read (a missing source or eval
file, an unreadable file to validate, no Prefect server or no such artifact for `ftprep artifact`); 3 an
internal error (a bug: one line, no traceback unless FTPREP_DEBUG=1); 130 interrupted (Ctrl-C).
Run-stopping errors print one line naming the file or field and the fix, never a traceback.
"""

import argparse
import json
import os
import socket
import sys
import traceback
import warnings
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit
from uuid import UUID

from flows.messages import error_line
from pipeline.checks.targets import TARGETS
from pipeline.config import PrepareConfig, load_config
from pipeline.errors import FtprepError, InputError

QUIET_PREFECT = {
    # Offline-safe, quiet local runs: no telemetry (it fails offline and races SQLite on a fresh DB).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # The temporary server of a local run logs cancelled flushes as tracebacks when it is stopped.
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline",
    # A first run migrates a fresh local database, which can take longer than Prefect's 20 s default.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftprep", description="Turn raw domain text into fine-tuning datasets.")
    commands = parser.add_subparsers(dest="command", required=True)

    prepare = commands.add_parser("prepare", help="documents -> train/validation datasets, rejects and reports")
    prepare.add_argument("sources", nargs="*", help="files or folders to ingest (default: `sources` in the config)")
    prepare.add_argument("--config", type=Path, help="TOML config file (see sample_data/ftprep.toml)")
    prepare.add_argument("--out", help="output folder (default: `out` in the config)")
    prepare.add_argument("--target", choices=sorted(TARGETS), help="output format")
    prepare.add_argument("--model", help="base model: sets the encoding and the token limit")
    prepare.add_argument("--kind", choices=["sft", "preference"], help="sft pairs or preference pairs")
    prepare.add_argument("--force", action="store_true", help="write into a non-empty --out that is not an ftprep run")
    prepare.add_argument(
        "--eval",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="benchmark or held-out eval sets (JSONL/JSON/CSV/text): overlapping examples are rejected",
    )
    prepare.add_argument(
        "--runner",
        choices=["prefect", "local"],
        default="prefect",
        help="prefect: run as a Prefect flow (local ephemeral mode unless PREFECT_API_URL is set); local: plain Python",
    )
    prepare.add_argument(
        "--task-runner",
        choices=["threads", "dask"],
        help="where the Prefect flow runs its shards: threads in this process (default), or Dask workers",
    )
    prepare.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="Dask scheduler to run the shards on (implies --task-runner dask; without it, a temporary local cluster)",
    )
    prepare.add_argument("--no-progress", action="store_true", help="no progress bars (they only show on a terminal)")
    prepare.add_argument(
        "--verbose",
        action="store_true",
        help="print Prefect's INFO lines too (the flow run and each task run's state; without it, warnings and "
        "errors only: every line still reaches the run's logs on the server)",
    )

    validate = commands.add_parser("validate", help="check JSONL files against a target before upload")
    validate.add_argument("files", type=Path, nargs="+", metavar="FILE", help="one file, or train and validation")
    validate.add_argument(
        "--target", choices=sorted(TARGETS), help="the format to check against (default: openai-chat)"
    )
    validate.add_argument("--model", help="base model: its encoding, per-example limit and training price")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument("--max-errors", type=int, default=3, help="places printed per finding code in the summary")
    validate.add_argument("--no-tokens", action="store_true", help="skip token counts (structure and semantics only)")
    validate.add_argument("--response-schema", type=Path, help="JSON Schema every assistant answer must satisfy")
    validate.add_argument("--workers", type=int, help="processes for large files (default: the CPU count, at most 8)")
    validate.add_argument(
        "--dataset-info",
        type=Path,
        help="a LLaMA-Factory dataset_info.json: check FILE as its --dataset entry reads it",
    )
    validate.add_argument("--dataset", help="the dataset_info.json entry that describes FILE (with --dataset-info)")

    report = commands.add_parser("report", help="render report.md and report.html again from RUN_DIR/report.json")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the --out folder of a prepare run")

    artifact = commands.add_parser(
        "artifact",
        help="print a run's artifact from the Prefect server at PREFECT_API_URL as text",
    )
    artifact.add_argument("key", metavar="KEY", help="ftprep-report, ftprep-risk, ftprep-funnel, ftprep-progress, ...")
    artifact.add_argument(
        "--run", type=UUID, metavar="FLOW_RUN_ID", help="that flow run's artifact (default: the latest with KEY)"
    )

    targets = commands.add_parser("targets", help="list the output formats and their schemas")
    targets.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = one_line_warning
    try:
        if args.command == "prepare":
            return prepare(args)
        if args.command == "validate":
            return validate(args)
        if args.command == "report":
            return render_report(args)
        if args.command == "artifact":
            return print_artifact(args)
        return list_targets(args)
    except InputError as error:
        print(error_line(error), file=sys.stderr)
        return 2
    except FtprepError as error:
        print(error_line(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ftprep: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        sys.stderr.close()
        return 0
    except Exception as error:  # a bug of ours: one line naming where, the traceback only on request
        if os.environ.get("FTPREP_DEBUG"):
            raise
        where = traceback.extract_tb(error.__traceback__)[-1]
        print(
            f"ftprep: internal error: {type(error).__name__}: {str(error)[:300]} "
            f"(at {Path(where.filename).name}:{where.lineno}); please report it, FTPREP_DEBUG=1 shows the traceback",
            file=sys.stderr,
        )
        return 3


def one_line_warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    """Warnings (a deprecated config key) as one line a user reads, not a source location."""
    print(f"ftprep: warning: {message}", file=sys.stderr)


def prepare(args: argparse.Namespace) -> int:
    cfg = load_config(args.config) if args.config else PrepareConfig()
    cfg = cfg.with_overrides(
        sources=args.sources or None,
        out=args.out,
        target=args.target,
        model=args.model,
        kind=args.kind,
        force=args.force or None,
        decontamination={"eval_files": [str(path) for path in args.eval] if args.eval else None},
    )
    dask = args.task_runner == "dask" or args.dask_address is not None
    if dask and args.runner == "local":
        print("ftprep: error: --task-runner dask runs Prefect tasks; drop --runner local", file=sys.stderr)
        return 2
    if args.task_runner == "threads" and args.dask_address:
        print("ftprep: error: --dask-address needs --task-runner dask", file=sys.stderr)
        return 2
    from flows.progress import listening, progress_bars

    drawn = not args.no_progress and sys.stderr.isatty()
    report: dict | None  # None: Prefect could not be reached (prepare_with_prefect printed why)
    with progress_bars(drawn) as bars:
        if args.runner == "local":
            from pipeline.executor import execute

            report = execute(cfg, progress=bars)
        else:
            if not args.verbose:
                # The summary line and the bars stand in for Prefect's line per task run on the terminal. Only
                # the console handler is raised: the API handler still sends every INFO line to the run's logs.
                os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
            with listening(bars):
                report = prepare_with_prefect(cfg, args.dask_address if dask else None, dask)
    if report is None:
        return 1
    ledger = report["ledger"]
    docs, examples = ledger["documents"], ledger["examples"]
    print(
        f"ftprep: {docs['inputs']} documents ({docs['rejected']} rejected) -> {examples['generated']} examples: "
        f"{examples['train']} train, {examples['validation']} validation, "
        + (f"{examples['test']} test, " if examples["test"] else "")
        + f"{examples['rejected']} rejected; "
        f"outputs in {cfg.out}/ (see report.md)"
    )
    return 0


def prepare_with_prefect(cfg: PrepareConfig, dask_address: str | None, dask: bool) -> dict | None:
    """The flow in this process; None (after one error line) when Prefect or Dask cannot be reached."""
    from pipeline.preflight import preflight

    preflight(cfg)  # fail fast, before Prefect starts a temporary server
    for key, value in QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    from flows.prepare import prepare_dataset

    flow = prepare_dataset
    if dask:
        if not os.environ.get("PREFECT_API_URL"):
            # Without it each Dask worker would start a temporary Prefect server of its own and report there.
            raise InputError(
                "--task-runner dask needs a Prefect server the Dask workers can reach: "
                "start one (`make server`) and set PREFECT_API_URL"
            )
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise InputError("--task-runner dask needs prefect-dask: pip install 'ftprep[dask]'") from None
        if dask_address:
            check_reachable(dask_address)
        # prefect-dask subclasses the bare TaskRunner, whose type parameter defaults to PrefectConcurrentFuture:
        # not the TaskRunner[PrefectFuture[Any]] that with_options() declares (the parameter is invariant).
        runner = DaskTaskRunner(address=dask_address)
        flow = prepare_dataset.with_options(task_runner=runner)  # type: ignore[arg-type]
    try:
        # A run the flow ends Failed (a bad config, say) raises its FtprepError here, so only a report returns.
        return cast(dict, flow(cfg))
    except RuntimeError as error:
        if "Prefect API" not in str(error):
            raise
        print(
            f"ftprep: error: Prefect could not start its local server ({str(error).splitlines()[0]}); "
            "point PREFECT_API_URL at a running server or use --runner local",
            file=sys.stderr,
        )
        return None


def check_reachable(address: str) -> None:
    """Fail in one line before the flow starts (it would log a traceback) when nothing listens at a tcp:// address."""
    parsed = urlsplit(address)
    if parsed.scheme != "tcp":
        return  # tls://, ucx://: let distributed connect and report
    try:
        socket.create_connection((parsed.hostname or "", parsed.port or 8786), timeout=5).close()
    except (OSError, ValueError) as error:
        raise InputError(
            f"--dask-address {address}: no Dask scheduler answers ({error}); start one (`dask scheduler`) "
            "or drop --dask-address for a temporary local cluster"
        ) from None


def validate(args: argparse.Namespace) -> int:
    from pipeline.checks.validate.dataset_info import read_mapping
    from pipeline.checks.validate.engine import Options, validate_files

    if len(args.files) > 2:
        print("ftprep: error: give one file, or a training and a validation file", file=sys.stderr)
        return 2
    schema = None
    if args.response_schema:
        try:
            schema = json.loads(args.response_schema.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"{args.response_schema}: cannot read the response schema ({error})") from None
    if (args.dataset_info is None) != (args.dataset is None):
        print("ftprep: error: --dataset-info and --dataset go together", file=sys.stderr)
        return 2
    mapping = read_mapping(args.dataset_info, args.dataset) if args.dataset_info is not None else None
    if mapping is not None and args.target not in (None, mapping.target):
        print(
            f"ftprep: error: dataset '{mapping.name}' is {mapping.target} data (its formatting, ranking and "
            f"kto_tag); drop --target {args.target}",
            file=sys.stderr,
        )
        return 2
    target = mapping.target if mapping is not None else args.target or "openai-chat"
    options = Options(target, args.model, not args.no_tokens, schema, args.workers, dataset=mapping)
    result = validate_files(args.files, options)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if args.json else result.summary(args.max_errors))
    return 0 if result.ok else 1


def render_report(args: argparse.Namespace) -> int:
    from pipeline.report.files import rerender

    written = rerender(args.run_dir)
    print(f"ftprep: wrote {', '.join(str(path) for path in written)}")
    return 0


def print_artifact(args: argparse.Namespace) -> int:
    from flows.artifacts import artifact_text

    text = artifact_text(args.key, args.run)
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def list_targets(args: argparse.Namespace) -> int:
    from pipeline.checks.validate.costs import price_table, training_price
    from pipeline.checks.validate.engine import token_settings

    rows = []
    for target in TARGETS.values():
        encoding, limit, estimated = token_settings(target, None)
        default_model = "gpt-4o-mini" if target.name.startswith("openai") else None
        rows.append(
            {
                "name": target.name,
                "kinds": list(target.kinds),
                "schema": f"schemas/{target.schema}.schema.json",
                "description": target.description,
                "encoding": encoding if not estimated else f"{encoding} (estimate; the provider's tokenizer differs)",
                "token_limit": limit,
                "min_examples": target.min_examples,
                "max_examples": target.max_examples,
                "max_file_bytes": target.max_file_bytes,
                "training_price_per_1m_usd": training_price(default_model) if default_model else None,
                "prices_as_of": price_table()["as_of"],
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['name']:<26} {'/'.join(row['kinds']):<11} {row['description']}")
        print("details (schema, encoding, limits, price): ftprep targets --json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
