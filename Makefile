# Quick start: `make lab` (set up, open JupyterLab on the notebooks) and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt
STAMP  := $(VENV)/.installed

.PHONY: lab test test-fast lint format notebooks docs bench gallery classroom clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e ".[lab,test]"  # constraints.txt pins torch to the local CPU build
	@touch $(STAMP)

lab: $(STAMP)  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

test: lint  ## lint, then the whole suite: unit, oracle, notebooks, browser
	$(BIN)/python -m pytest -q -rs

test-fast: $(STAMP)  ## skip the slow tests
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: $(STAMP)  ## ruff: lint and formatting (the tree must be clean)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

notebooks: $(STAMP)  ## regenerate notebooks 01-04 (and the Chinese twins) from notebooks/generator
	$(BIN)/python -m notebooks.generator

docs: $(STAMP)  ## execute every notebook (en + zh), write offline HTML copies into docs/html/
	$(BIN)/python -m notebooks.generator.docs

bench: $(STAMP)  ## the quick benchmarks (about 3 min); each prints JSON
	$(BIN)/python benchmarks/app_latency.py
	$(BIN)/python benchmarks/controller_learns.py
	$(BIN)/python benchmarks/step_overhead.py

gallery: $(STAMP)  ## every figure of short runs as standalone HTML (works offline) in gallery/
	$(BIN)/python -m workbench.viz.gallery gallery

HOST  ?= 127.0.0.1
PORT  ?= 8866
TOKEN ?=
POOL  ?= 4
LANG_ ?= en
classroom: $(STAMP)  ## serve the app with Voila (HOST=0.0.0.0 TOKEN=... POOL=32 for a class on a LAN)
	$(BIN)/python -m workbench classroom --host $(HOST) --port $(PORT) --pool $(POOL) --lang $(LANG_) \
		$(if $(TOKEN),--token $(TOKEN))

clean:
	rm -rf $(VENV) .pytest_cache
