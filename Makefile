# akn — two commands do everything on a fresh machine:
#   make        create the environment and build every sources/*.txt into build/
#   make test   run the whole test suite (installs the test tools it needs first)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AKN := $(BIN)/akn
ENV_STAMP := $(VENV)/.installed
SYS_STAMP := .tools/.installed

SOURCES := $(wildcard sources/*.txt)
NAMES := $(patsubst sources/%.txt,%,$(SOURCES))
CODE := $(shell find akn -name '*.py' -o -name '*.toml') pyproject.toml
TEMPLATES := $(wildcard templates/*)
OUTPUTS := $(foreach n,$(NAMES),build/$(n).xml build/$(n).html build/$(n).pdf)

.DELETE_ON_ERROR:
.PHONY: all env system test clean clean-env

all: $(OUTPUTS)

env: $(ENV_STAMP)
$(ENV_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "make: installing the Python environment into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

system: $(SYS_STAMP)
$(SYS_STAMP): scripts/setup-system.sh
	@bash scripts/setup-system.sh
	@mkdir -p .tools && touch $@

build/%.xml: sources/%.txt $(CODE) | $(ENV_STAMP)
	@mkdir -p build
	$(AKN) parse $< -o $@ --report build/$*.report.json

build/%.html: build/%.xml $(CODE) $(TEMPLATES) | $(ENV_STAMP)
	$(AKN) html $< -o $@

build/%.pdf: build/%.xml $(CODE) $(TEMPLATES) | $(ENV_STAMP)
	$(AKN) pdf $< -o $@

test: $(ENV_STAMP) $(SYS_STAMP) all
	$(BIN)/python -m pytest -q

clean:
	rm -rf build

clean-env:
	rm -rf $(VENV) .tools
