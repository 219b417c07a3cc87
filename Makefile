# fairlabel: `make demo` serves a demo on http://127.0.0.1:8000; `make test` runs the suite.
# Needs Python 3.11+ and make (npm for the accessibility checks); everything else is installed
# into .venv and node_modules.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= sqlite:///demo.db

.PHONY: demo test test-fast browser-deps node-deps screenshots messages bench docs clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "fairlabel needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	FAIRLABEL_DATABASE_URL=$${FAIRLABEL_DATABASE_URL:-$(DEMO_DB)} $(BIN)/fairlabel demo --host 127.0.0.1 --port 8000

# Browser tests drive Debian's Chromium; install it where we can (root with apt-get).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "NOTE: /usr/bin/chromium is missing and cannot be installed here: browser tests will be skipped (install the 'chromium' package to run them)."; \
	fi

# The browser tests load axe-core (an accessibility checker) into the pages: npm installs the
# exact version package-lock.json pins, again whenever the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "NOTE: npm is missing: the accessibility tests will be skipped (install Node.js and npm to run them)."; \
	fi

node-deps: node_modules/.package-lock.json

test: $(VENV)/.installed-test browser-deps node-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

# A PNG of every page of every role, at 1280 and 390 px, in English and French, with an index.
screenshots: $(VENV)/.installed-test browser-deps
	$(BIN)/python -m tools.screenshots --out screenshots

# Extract every text of the code, templates and scripts; add new ones to each language's
# messages.po (docs/languages.md).
messages: $(VENV)/.installed-test
	$(BIN)/python -m tools.messages

# The whole benchmark (benchmarks/bench_all.py): loop, growth and soak, as JSON, text and PNG
# plots in benchmarks/results/<date>-<time>/ (git-ignored). BENCH_ARGS=--quick for a smoke run;
# `.venv/bin/python benchmarks/bench_all.py --help` for the rest. Plots need matplotlib, a
# main dependency since `fairlabel simulate` draws its report with it (the `plots` extra names
# it too, for installs that pin the benchmark's own needs).
$(VENV)/.installed-plots: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,plots]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-runtime

bench: $(VENV)/.installed-plots
	$(BIN)/python benchmarks/bench_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache node_modules screenshots

docs: $(VENV)/.installed-test
	$(BIN)/python docs/cli_reference.py
