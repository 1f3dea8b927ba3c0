# Each target bootstraps .venv itself: `make serve` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test bench site check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/microcred serve --host $(HOST) --port $(PORT) --workers 2

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

site: $(STAMP)
	$(BIN)/microcred build-site

check: $(STAMP)
	$(BIN)/microcred check

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
