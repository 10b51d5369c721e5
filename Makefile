# Stuurkit — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?=
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lab lint format demo-data bench audit screenshots clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Stuurkit needs Python >= 3.11 (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# axe-core (accessibility checks in the browser tests), when npm is available
	@command -v npm >/dev/null 2>&1 && npm install --silent --no-save --no-audit --no-fund \
		--prefix $(VENV)/axe axe-core@4 >/dev/null 2>&1 || echo "npm not found: accessibility tests will skip"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install Stuurkit with its test tools

demo: install ## build every demo report into reports/demo/ (open reports/demo/index.html)
	$(BIN)/stuurkit run demo $(if $(JOBS),--jobs $(JOBS))

test: install ## run the whole test suite (TEST_WORKERS=2 processes by default; 0 runs it in one)
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

test-fast: install ## run the tests that need no notebook kernel or browser
	$(BIN)/python -m pytest -m "not slow"

lab: install ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

lint: install ## check code style with ruff
	$(BIN)/ruff check src tests

format: install ## format code with ruff
	$(BIN)/ruff format src tests

screenshots: demo ## build the demo reports and save a PNG of each in reports/demo/screenshots/
	$(BIN)/stuurkit screenshots demo

bench: install ## run the benchmarks and print a table of medians
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

audit: install ## reliability, privacy and safety audit (bad input, faults, faults under CPU load 5x, privacy scan, concurrency, injection, tampered pages): a table and counts per group; exit 1 when a row fails
	$(BIN)/python tools/audit.py

demo-data: install ## regenerate data/demo from its fixed seed (byte-identical)
	$(BIN)/stuurkit demo-data

clean: ## remove built reports and caches (keeps .venv)
	rm -rf reports/*/ data/*/cache .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
