# ftprep: two commands for a newcomer (`make run`, `make test`); everything else is optional.
# `make check` is the quick loop while iterating; `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ftprep-installed

.PHONY: install run test check typecheck lint bench schemas golden clean server deploy worker

install: $(STAMP)

$(STAMP): pyproject.toml pipeline/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install  ## prepare the sample corpus into runs/sample
	$(BIN)/ftprep prepare sample_data --config sample_data/ftprep.toml --out runs/sample

test: install  ## lint and type-check, then the whole test suite (servers, Dask, resume and the wheel install included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipeline flows
	$(BIN)/python -m pytest

# Everything but the end-to-end runs and the tests that start Prefect, servers, Dask workers or a fresh venv.
FAST := not slow and not prefect and not server and not dask and not resume and not install

check: install  ## while iterating: lint, type-check and the fast tests (about 2 min on 2 idle cores; `make test` runs them all)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipeline flows
	$(BIN)/python -m pytest -m "$(FAST)"

typecheck: install  ## mypy over pipeline/ and flows/ alone (`make test` and `make check` run it too)
	$(BIN)/mypy pipeline flows

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install  ## every benchmark; figures and commands in bench/RESULTS.md
	test -x bench/.venv-together/bin/python || { $(PYTHON) -m venv bench/.venv-together && \
		bench/.venv-together/bin/python -m pip install --quiet together==3.1.1; }
	$(BIN)/python -m bench.e2e --examples 10000 100000
	$(BIN)/python -m bench.ingest --documents 1000
	$(BIN)/python -m bench.markdown
	$(BIN)/python -m bench.validate --lines 100000
	$(BIN)/python -m bench.validate_long_lines
	$(BIN)/python -m bench.dedup --docs 50000
	$(BIN)/python -m bench.prefect_overhead --tries 3

# Prefect server and deployments (README "Run on a Prefect server"). The API URL and the Prefect home are
# set per recipe, never exported: `make test` must keep starting its own throwaway servers, and
# `ftprep prepare` its temporary ones in the default home (~/.prefect).
# SERVER_HOME is this project's server: its SQLite database (prefect.db), profiles.toml, result storage
# and memo store, apart from every other Prefect run on the machine. Delete the folder to start afresh.
PREFECT_PORT ?= 4200
SERVER_HOME ?= .prefect-server
HOME_ENV := PREFECT_HOME=$(abspath $(SERVER_HOME))
# deploy and worker talk to an exported PREFECT_API_URL (a shared server), unless PREFECT_PORT is given to
# make: then to this machine's server on that port, as `make server PREFECT_PORT=...` started it.
ifeq ($(origin PREFECT_PORT),command line)
API_URL := http://127.0.0.1:$(PREFECT_PORT)/api
else
API_URL := $${PREFECT_API_URL:-http://127.0.0.1:$(PREFECT_PORT)/api}
endif
API := PREFECT_API_URL=$(API_URL)
POOL := ftprep-process

# The UI asks the API at PREFECT_UI_API_URL, which does not follow --port: set both. The two log-stream
# settings (off by default) let `prefect deployment run --watch` print the run's logs, failure line included.
server: install  ## this project's Prefect server and UI on http://127.0.0.1:4200, database in .prefect-server/ (Ctrl-C stops it)
	$(HOME_ENV) PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
		PREFECT_UI_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api \
		PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED=true PREFECT_SERVER_LOGS_STREAM_PUBLISHING_ENABLED=true \
		$(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

deploy: install  ## register prefect.yaml's deployments and their process work pool on the server
	@echo "make deploy: Prefect API at $(API_URL)"
	$(HOME_ENV) $(API) $(BIN)/prefect work-pool inspect $(POOL) >/dev/null 2>&1 || \
		$(HOME_ENV) $(API) $(BIN)/prefect work-pool create $(POOL) --type process
	$(HOME_ENV) $(API) FTPREP_ROOT=$(CURDIR) $(BIN)/prefect --no-prompt deploy --all

worker: install  ## run the pool's flow runs as local processes (Ctrl-C stops it)
	@echo "make worker: Prefect API at $(API_URL)"
	$(HOME_ENV) $(API) DO_NOT_TRACK=1 $(BIN)/prefect worker start --pool $(POOL) --type process --install-policy never

schemas: install  ## regenerate schemas/config.schema.json from PrepareConfig
	$(BIN)/python -c "import json; from pipeline.config import config_json_schema; \
	open('schemas/config.schema.json', 'w').write(json.dumps(config_json_schema(), indent=2) + '\n')"

golden: install  ## refresh golden files deliberately, then review `git diff tests/golden`
	FTPREP_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_export.py tests/test_e2e.py

clean:
	rm -rf runs bench/out .pytest_cache .ruff_cache .mypy_cache build *.egg-info
