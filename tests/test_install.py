"""The package as a user gets it: a wheel built from this checkout, installed into a fresh venv made by the system
Python with its own bundled pip (an old one, as `python3 -m venv` gives), runs `ftprep prepare` and
`ftprep validate` from a folder outside the repository.

It catches what the tests run from the repository root cannot see: a subpackage or data file missing from the
wheel (imports from the checkout always find it), a dependency that only the developers' venv happens to have,
or one that an old pip resolves differently (trafilatura's `lxml[html_clean]`). The dependencies come from the
package registry, through pip's ordinary configuration and cache; nothing else is reached.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
PACKAGED = ("pipeline", "flows", "schemas")  # the top-level packages the wheel must carry, whole
NOT_SOURCE = {
    ".git",
    "build",
    "dist",
    "runs",
    "out",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".hypothesis",
}


IMPORT_ALL = """
import importlib, json, pkgutil
from importlib import metadata
import flows, pipeline, schemas
names = [m.name for p in (pipeline, flows, schemas) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps([pipeline.__file__, pipeline.__version__, metadata.version("ftprep"), len(names)]))
"""


def system_python() -> Path:
    """The interpreter this test's venv was made from (the one `make install` ran `-m venv` with)."""
    base = Path(getattr(sys, "_base_executable", "") or sys.executable)
    if not base.exists():
        base = Path(sys.base_prefix) / "bin" / "python3"
    return base


def missing_tool(reason: str) -> None:
    """Skip where the machine truly cannot make a venv; in CI that is a broken machine, so fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the install test)")
    pytest.skip(reason)


def clean_env(home: Path) -> dict[str, str]:
    """This environment minus whatever would make the venv see the checkout or the developers' settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "PYTHON", "FTPREP_")) and key not in {"VIRTUAL_ENV", "__PYVENV_LAUNCHER__"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    env["PREFECT_HOME"] = str(home)  # a throwaway Prefect database: the run is the user's first
    return env


def run(command: list, cwd: Path, env: dict[str, str], timeout: float, log: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    log.write_text(f"$ {' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}", encoding="utf-8")
    return result


def tail(result: subprocess.CompletedProcess, lines: int = 30) -> str:
    return "\n".join((result.stdout + "\n" + result.stderr).strip().splitlines()[-lines:])


def copy_source(target: Path) -> Path:
    """A clean copy of the checkout: what git would commit (tracked and untracked files, less the ignored ones).

    Building in place would not do: setuptools builds through build/lib and never removes a stale file there, so
    the wheel could still carry a module (or a whole package) the source no longer has.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = listed.stdout.decode().split("\0")
    else:  # not a git checkout (an unpacked sdist, say): everything but what a build or a run leaves behind
        names = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if not NOT_SOURCE.intersection(path.relative_to(ROOT).parts)
            and not any(part.startswith(".venv") or part.endswith(".egg-info") for part in path.parts)
        ]
    for name in names:
        path = ROOT / name
        if name and path.is_file():  # not a deleted tracked file, nor a FIFO or socket a test left behind
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    return target


def packaged_files(source: Path) -> set[str]:
    """Every file of the packaged folders: each module, schema and data file must be in the wheel."""
    return {
        path.relative_to(source).as_posix()
        for top in PACKAGED
        for path in (source / top).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_installs_with_the_system_pip_and_runs_outside_the_repo(tmp_path):
    python = system_python()
    probe = subprocess.run([python, "-c", "import venv, ensurepip"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        missing_tool(f"{python} cannot make a venv with pip (no venv or ensurepip module): {probe.stderr.strip()}")
    config = tomllib.loads((SAMPLE_DATA / "ftprep.toml").read_text(encoding="utf-8"))
    outside = tmp_path / "elsewhere"  # the working folder of every command: nothing of the repo is importable here
    outside.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    env = clean_env(tmp_path / "prefect-home")
    timings: dict[str, float] = {}

    def step(name: str, command: list, timeout: float) -> subprocess.CompletedProcess:
        start = time.monotonic()
        result = run(command, outside, env, timeout, logs / f"{name}.log")
        timings[name] = time.monotonic() - start
        return result

    source = copy_source(tmp_path / "source")
    built = step("wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "dist", source], 600)
    assert built.returncode == 0, f"pip wheel failed:\n{tail(built)}"
    (wheel,) = (tmp_path / "dist").glob("ftprep-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = sorted(packaged_files(source) - names)
    assert not missing, f"{wheel.name} lacks files of the package: {missing}"
    assert not [name for name in names if name.startswith(("tests/", "bench/", "sample_data/"))], sorted(names)

    venv = tmp_path / "venv"
    made = step("venv", [python, "-m", "venv", venv], 300)
    assert made.returncode == 0, f"{python} -m venv failed:\n{tail(made)}"
    bin_ = venv / "bin"
    # --no-compile: byte-compiling all of Prefect's dependencies would double the install; the run compiles what
    # it imports. pip's cache and configuration are the machine's own, as a user's would be.
    installed = step("install", [bin_ / "python", "-m", "pip", "install", "--no-compile", wheel], 1800)
    assert installed.returncode == 0, f"pip install {wheel.name} failed:\n{tail(installed)}"

    # Every module imports from the venv (no dependency only the developers have), and there is one version.
    where = step("import", [bin_ / "python", "-c", IMPORT_ALL], 300)
    assert where.returncode == 0, f"the installed package does not import:\n{tail(where)}"
    module, version, dist_version, count = json.loads(where.stdout.strip().splitlines()[-1])
    assert Path(module).is_relative_to(venv), f"pipeline imported from {module}, not from the venv"
    assert version == dist_version, f"pipeline.__version__ {version} != the wheel's version {dist_version}"
    assert count > 50, f"only {count} modules found in the installed package"

    run_dir = tmp_path / "run"
    # Paths inside a config are relative to the working folder, and the sample config's eval file is written for
    # the repository root: from elsewhere it is passed by its full path.
    eval_files = [ROOT / name for name in config["decontamination"]["eval_files"]]
    prepare = [bin_ / "ftprep", "prepare", SAMPLE_DATA, "--config", SAMPLE_DATA / "ftprep.toml", "--out", run_dir]
    prepared = step("prepare", [*prepare, "--eval", *eval_files, "--no-progress"], 900)
    assert prepared.returncode == 0, f"ftprep prepare exited {prepared.returncode}:\n{tail(prepared)}"
    assert "Traceback" not in prepared.stdout + prepared.stderr, tail(prepared, 60)
    train = run_dir / "train.jsonl"
    assert train.is_file() and train.stat().st_size > 0, f"no train.jsonl: {sorted(p.name for p in run_dir.glob('*'))}"

    checked = step(
        "validate",
        [bin_ / "ftprep", "validate", train, "--target", config["target"], "--model", config["model"], "--json"],
        300,
    )
    assert checked.returncode == 0, f"ftprep validate exited {checked.returncode}:\n{tail(checked)}"
    result = json.loads(checked.stdout)
    assert result["ok"] and result["errors"] == [], result["errors"][:5]

    print("install test timings: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
