# fairlabel: `make demo` serves a demo on http://127.0.0.1:8000; `make test` runs the suite.
# Needs only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= sqlite:///demo.db

.PHONY: demo test test-fast browser-deps bench docs clean

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

test: $(VENV)/.installed-test browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/loop.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache

docs: $(VENV)/.installed-test
	$(BIN)/python docs/cli_reference.py
