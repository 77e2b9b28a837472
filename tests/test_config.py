import json
import re
import tomllib
from pathlib import Path

import pytest

from pipeline.config import PrepareConfig, config_json_schema, load_config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_committed_config_schema_matches_the_model():
    committed = json.loads((ROOT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert committed == config_json_schema(), "run `make schemas` to regenerate schemas/config.schema.json"


def test_every_field_has_a_description():
    def walk(model, prefix=""):
        for name, field in model.model_fields.items():
            assert field.description, f"{prefix}{name} has no description"
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, PrepareConfig.__mro__[1]):
                walk(annotation, f"{prefix}{name}.")

    walk(PrepareConfig)


def keys(data: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in data.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= keys(value, f"{prefix}{key}.")
    return found


def commented_options(text: str) -> set[str]:
    """Options without a TOML value (unset by default) are shown as `# key = value` lines."""
    found, section = set(), ""
    for line in text.splitlines():
        if header := re.match(r"^\[(\w+)\]", line):
            section = header.group(1) + "."
        elif option := re.match(r"^#\s*(\w+)\s*=", line):
            found.add(section + option.group(1))
    return found


def test_sample_config_shows_every_option():
    text = (ROOT / "sample_data" / "ftprep.toml").read_text(encoding="utf-8")
    shown = keys(tomllib.loads(text)) | commented_options(text)
    assert keys(PrepareConfig().model_dump()) - shown == set()


def test_sample_config_loads():
    assert load_config(ROOT / "sample_data" / "ftprep.toml").target == "openai-chat"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[dedup]\nthreshhold = 0.8\n", "field 'dedup.threshhold': Extra inputs are not permitted"),
        ("[split]\nvalidation_ratio = 1.5\n", "field 'split.validation_ratio'"),
        ("[dedup]\nbands = 20\nrows = 8\n", "exceeds num_perm"),
        ("target = 'nope'\n", "field 'target'"),
        ("[dedup\n", "invalid TOML"),
    ],
)
def test_bad_config_names_the_file_and_field(tmp_path, toml, message):
    path = tmp_path / "ftprep.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.toml")


def test_config_is_frozen():
    with pytest.raises(Exception, match="frozen"):
        PrepareConfig().model = "x"  # type: ignore[misc]


def test_overrides_are_validated():
    with pytest.raises(ConfigError, match="command-line options"):
        PrepareConfig().with_overrides(target="nope")
    assert PrepareConfig().with_overrides(out="runs/x", model=None).out == "runs/x"


def test_target_names_match_the_registry():
    from typing import get_args

    from pipeline.checks.targets import TARGETS
    from pipeline.config import TargetName

    assert set(get_args(TargetName)) == set(TARGETS)


@pytest.mark.parametrize(
    ("old", "moved", "where"),
    [
        ({"quality": {"sensitive": {"secrets": "reject"}}}, "quality.sensitive is now sensitive", "sensitive"),
        ({"dedup": {"eval_files": ["held-out.jsonl"]}}, "dedup.eval_files is now decontamination.eval_files", "dec"),
    ],
)
def test_keys_of_older_configs_are_read_with_a_deprecation(old, moved, where):
    with pytest.warns(FutureWarning, match=moved.replace(".", r"\.")):
        cfg = PrepareConfig.model_validate(old)
    if where == "sensitive":
        assert cfg.sensitive.secrets == "reject"
    else:
        assert cfg.decontamination.eval_files == ["held-out.jsonl"]


def test_an_old_key_and_its_new_place_together_are_an_error(tmp_path):
    path = tmp_path / "ftprep.toml"
    path.write_text('[dedup]\neval_files = ["a.jsonl"]\n\n[decontamination]\neval_files = ["b.jsonl"]\n')
    with pytest.raises(ConfigError, match=r"keep only decontamination\.eval_files"):
        load_config(path)
