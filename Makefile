# akn — two commands do everything on a fresh machine:
#   make        create the environment and build every sources/*.txt into build/
#   make test   run the whole test suite (installs the test tools it needs first)
# Also: make corpus (every UN session-78 file in ../shared -> build/corpus/; CLUSTER=ADDRESS
# on a Dask cluster), make bench
# (docs/benchmarks.md), make fuzz (docs/robustness.md), make clean. Parallel builds work: make -j2.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AKN := $(BIN)/akn
ENV_STAMP := $(VENV)/.installed
SYS_STAMP := .tools/.installed
RUN_STAMP := .tools/.runtime

SOURCES := $(wildcard sources/*.txt)
NAMES := $(patsubst sources/%.txt,%,$(SOURCES))
# The package's code and data (the parser's language files too): a change rebuilds every
# output. $(wildcard) rather than $(shell find): no process is started when make reads this.
CODE := $(wildcard akn/*.py akn/*/*.py akn/*/*.toml akn/*/*.txt) pyproject.toml
TEMPLATES := $(wildcard templates/*)
XMLS := $(foreach n,$(NAMES),build/$(n).xml)
OUTPUTS := $(foreach n,$(NAMES),build/$(n).xml build/$(n).html build/$(n).pdf)
CORPUS_DIR ?= ../shared/corpus/unxml/78
JOBS ?= 2

.DELETE_ON_ERROR:
.PHONY: all env system test clean clean-env corpus bench

all: $(OUTPUTS) build/index.html

env: $(ENV_STAMP)
$(ENV_STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "make: installing the Python environment into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,cluster]'
	@touch $@

# Debian packages the writers need (libharfbuzz-subset0, fonts); as root, installed; if not,
# a warning and the build goes on (the stamp is left untouched, so the next make asks again).
$(RUN_STAMP): scripts/setup-system.sh
	@rc=0; bash scripts/setup-system.sh runtime || rc=$$?; \
	if [ $$rc = 0 ]; then mkdir -p .tools && touch $@; elif [ $$rc != 3 ]; then exit $$rc; fi

# ... and what the tests need besides (chromium, a JRE, poppler, qpdf, node, npm packages).
system: $(SYS_STAMP)
$(SYS_STAMP): scripts/setup-system.sh
	@bash scripts/setup-system.sh test
	@mkdir -p .tools && touch $@ $(RUN_STAMP)

# Python's compiled bytecode of the package, made once after each change: a process that
# may not write it (PYTHONDONTWRITEBYTECODE, as on CI) would otherwise compile every module
# from source at each start, ~0.1 s of each cold command (a wheel's install compiles it).
PYC_STAMP := $(VENV)/.bytecode
$(PYC_STAMP): $(CODE) | $(ENV_STAMP)
	@$(BIN)/python -m compileall -q akn >/dev/null
	@touch $@

# One akn process per file, served warm: with AKN_SERVER set, `akn parse/html/pdf` hand
# their work to a server that has the imports, the schema and WeasyPrint's fonts loaded and
# forks a copy of itself per command (akn/serve.py; the first command starts it, it stops
# after 60 s idle). The same bytes; SERVE= runs every command cold.
SERVE ?= 1
ifneq ($(SERVE),)
build/%.xml build/%.html build/%.pdf: export AKN_SERVER := $(abspath build/.akn-server.sock)
endif

build/%.xml: sources/%.txt $(CODE) | $(ENV_STAMP) $(PYC_STAMP)
	@mkdir -p build
	$(AKN) parse $< -o $@ --report build/$*.report.json

# The page links its XML (beside it) and its PDF, which the next rule makes.
build/%.html: build/%.xml $(CODE) $(TEMPLATES) | $(ENV_STAMP) $(PYC_STAMP)
	$(AKN) html $< -o $@ --pdf-href $(notdir $*).pdf

build/%.pdf: build/%.xml $(CODE) $(TEMPLATES) | $(ENV_STAMP) $(RUN_STAMP) $(PYC_STAMP)
	$(AKN) pdf $< -o $@

# The catalogue of everything built: symbol, title, language, links to the three files.
build/index.html: $(OUTPUTS) | $(ENV_STAMP)
	$(AKN) index $(XMLS) -o $@

# The UN's session-78 files (six languages) -> build/corpus/<lang>/NAME.{xml,html,pdf},
# with JOBS worker processes (make corpus JOBS=4), or on the workers of a Dask scheduler
# (make corpus CLUSTER=tcp://HOST:8786, or a scheduler file; docs/scaling.md): the corpus
# and build/ must then be on storage every worker sees, at the same paths.
CLUSTER ?=
corpus: | $(ENV_STAMP) $(RUN_STAMP)
	@if [ -d "$(CORPUS_DIR)" ]; then \
	  $(AKN) build $(CORPUS_DIR)/*/ -o build/corpus -j $(JOBS) --stats build/corpus-stats.json \
	    $(if $(CLUSTER),--cluster '$(CLUSTER)'); \
	else \
	  echo "make corpus: skipped: $(CORPUS_DIR) is absent (the UN corpus lives in ../shared beside the project)"; \
	fi

# docs/benchmarks.md and docs/*.png from one run. bluebell-akn is the peer parser we compare
# with: a bench-only dependency, installed here and nowhere else. Chromium, the peer PDF
# renderer, comes with the test tools (SYS_STAMP), so a clean clone's bench has it too.
bench: $(ENV_STAMP) $(SYS_STAMP) all
	@$(BIN)/python -m pip install -q --disable-pip-version-check bluebell-akn==3.1.1 \
	  || echo "make bench: bluebell-akn 3.1.1 could not be installed; its column will say so"
	$(BIN)/python scripts/bench.py

# One archival BagIt bag per resolution -> build/export/<symbol>.<lang>/ (docs/export.md):
# the built XML and PDF (reused: it must carry that XML), the source text, metadata; then
# every bag is checked (bagit.py, the AKN schema, the PDF's embedded XML).
.PHONY: export
export: $(OUTPUTS) | $(ENV_STAMP)
	@set -e; for n in $(NAMES); do \
	  echo "$(AKN) export build/$$n.xml -o build/export --source sources/$$n.txt --pdf build/$$n.pdf"; \
	  $(AKN) export build/$$n.xml -o build/export --source sources/$$n.txt --pdf build/$$n.pdf; \
	done
	$(AKN) export --check build/export

# The parser scored on all of session 78: six languages x two input shapes (the seed's cleaned
# text, and the raw text a PDF extractor gives), flattened from each UN file by
# ../shared/tools/unxml2text.py and scored by eval_parse.py's own compare (README's table;
# per-document lines in build/eval/LANG.SHAPE.scores.txt). EVAL_FLAGS=--cli scores through
# eval_parse.py --cmd 'akn parse …', a process per document (slower, the same figures).
.PHONY: eval
eval: | $(ENV_STAMP)
	@if [ ! -d "$(CORPUS_DIR)" ]; then echo "make eval: skipped: $(CORPUS_DIR) is absent"; exit 0; fi; \
	$(BIN)/python scripts/eval_corpus.py $(CORPUS_DIR) build/eval -j $(JOBS) $(EVAL_FLAGS)

# The mutation fuzzer (docs/robustness.md): FUZZ_CASES damaged resolutions (the seed and, when
# ../shared is there, the session-78 texts) through the reader; every one must give valid AKN
# or a clear refusal. Counts by outcome; failing inputs are kept in build/fuzz/.
# Then FUZZ_XML_CASES structure-aware XML mutations (valid AKN made deep, wide, huge, odd;
# scripts/fuzz_xml.py) through `akn html` and, every 5th, `akn pdf`, each in its own process
# with a time and a memory limit: no crash (exit 3), no timeout, no out-of-memory.
FUZZ_CASES ?= 10000
FUZZ_XML_CASES ?= 300
FUZZ_SEED ?= 1
.PHONY: fuzz
fuzz: | $(ENV_STAMP)
	$(BIN)/python scripts/fuzz.py -n $(FUZZ_CASES) --seed $(FUZZ_SEED) -j $(JOBS)
	$(BIN)/python scripts/fuzz_xml.py -n $(FUZZ_XML_CASES) --seed $(FUZZ_SEED) -j $(JOBS)

test: $(ENV_STAMP) $(SYS_STAMP) all
	$(BIN)/python -m pytest -q

clean:
	rm -rf build

clean-env:
	rm -rf $(VENV) .tools
