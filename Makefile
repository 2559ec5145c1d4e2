# articast: every target sets itself up; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARTICLE ?= assets/sample/brain-rhythms.html
VOICE  ?=
OUT    ?= output
INBOX  ?= assets/sample
PYTEST_ARGS ?=
BENCH  ?=

export PIP_DISABLE_PIP_VERSION_CHECK=1
# Python keeps our modules' bytecode (a build otherwise compiles all of articast again, 0.3 s
# of every command, where the environment turns bytecode off).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install episode test lint bench bench-ingest batch studio clean browser readme-images

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(STAMP)

episode: $(STAMP)
	$(BIN)/articast episode "$(ARTICLE)" --out "$(OUT)" $(if $(VOICE),--voice "$(VOICE)")

batch: $(STAMP)
	$(BIN)/articast batch "$(INBOX)" --out "$(OUT)"

# The studio (a local web app on 127.0.0.1:8765) over $(OUT), reading articles from $(INBOX).
studio: $(STAMP)
	$(BIN)/articast studio --out "$(OUT)" --input "$(INBOX)"

# Browser tests need Debian's chromium, the picture tests its tesseract OCR (English and
# German); install them when we can (root + apt).
TEST_DEBS := chromium tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu
browser:
	@{ command -v chromium && command -v tesseract && [ -d /usr/share/tesseract-ocr ] \
	   && tesseract --list-langs 2>/dev/null | grep -qx deu; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_DEBS) >/dev/null) \
	      || { echo "make test: could not install $(TEST_DEBS); run 'sudo apt-get install $(TEST_DEBS)'" >&2; exit 1; }; \
	  else echo "make test: $(TEST_DEBS) are needed; run 'sudo apt-get install $(TEST_DEBS)' and retry" >&2; exit 1; fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH)

# Ingest quality only: articast vs trafilatura vs readability-lxml (corpus: ../_corpus/pages).
bench-ingest: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py

# The README's pictures (assets/readme/): a frame of the sample's video, its episode page.
readme-images: $(STAMP) browser
	$(BIN)/python tools/readme_images.py

clean:
	rm -rf $(VENV) output/* .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
	touch output/.gitkeep
