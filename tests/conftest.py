"""Shared fixtures: a small written corpus, the sample_data run, and one Prefect API per session."""

import os
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import settings

# Shared CI machines stall now and then; a property test must fail on a counterexample, not on a slow second.
settings.register_profile("ftprep", deadline=None, print_blob=True)
settings.load_profile("ftprep")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"

# Prefect must never reach the network from tests; set before any test imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def sample_config():
    from pipeline.config import load_config

    return load_config(SAMPLE_DATA / "ftprep.toml").with_overrides(sources=[str(SAMPLE_DATA)])


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, sample_config):
    """The sample corpus prepared once with the local runner: (output folder, report)."""
    from pipeline.executor import execute

    out = tmp_path_factory.mktemp("sample") / "run"
    report = execute(sample_config.with_overrides(out=str(out)))
    return out, report


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect API for the whole session: the live server CI started, or a test harness."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with ExitStack() as stack:
        if not os.environ.get("PREFECT_API_URL"):
            from prefect.testing.utilities import prefect_test_harness

            stack.enter_context(prefect_test_harness(server_startup_timeout=90))
        # A sync flow run otherwise waits up to 1 s for its heartbeat thread (prefect.md, pitfall 9).
        stack.enter_context(temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
        yield


@pytest.fixture
def server():
    """A local OpenAI-compatible endpoint (tests/llm_server.py) for the LLM tests, stopped after the test."""
    from tests.llm_server import LLMServer

    running = LLMServer().start()
    yield running
    running.stop()
