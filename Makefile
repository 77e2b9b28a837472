# ftprep: two commands for a newcomer (`make run`, `make test`); everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ftprep-installed

.PHONY: install run test lint bench schemas golden clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install  ## prepare the sample corpus into runs/sample
	$(BIN)/ftprep prepare sample_data --config sample_data/ftprep.toml --out runs/sample

test: install  ## lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install  ## every benchmark; figures and commands in bench/RESULTS.md
	test -x bench/.venv-together/bin/python || { $(PYTHON) -m venv bench/.venv-together && \
		bench/.venv-together/bin/python -m pip install --quiet together==3.1.1; }
	$(BIN)/python -m bench.e2e --examples 10000 100000
	$(BIN)/python -m bench.ingest --documents 1000
	$(BIN)/python -m bench.validate --lines 100000
	$(BIN)/python -m bench.dedup --docs 50000

schemas: install  ## regenerate schemas/config.schema.json from PrepareConfig
	$(BIN)/python -c "import json; from pipeline.config import config_json_schema; \
	open('schemas/config.schema.json', 'w').write(json.dumps(config_json_schema(), indent=2) + '\n')"

golden: install  ## refresh golden files deliberately, then review `git diff tests/golden`
	FTPREP_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_export.py tests/test_e2e.py

clean:
	rm -rf runs bench/out .pytest_cache .ruff_cache
