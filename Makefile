# newsvault: `make demo` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# newsvault and its runtime dependencies only (what `make demo` needs)
RUNTIME_STAMP := $(VENV)/.installed-runtime
# ... plus the `test` extra: pytest, mypy, ruff, pywb, SeaweedFS (what `make test` needs)
STAMP  := $(VENV)/.installed
# `make bench BENCH_ARGS="--rounds 1"` for a quick look
BENCH_ARGS ?= --rounds 3
# The demo serves the sample site on this fixed port, so a second run is incremental.
DEMO_PORT ?= 8737
# `make bench BENCH_EXPORT_ARGS="--articles 20000 --formats parquet"` for a quick look
BENCH_EXPORT_ARGS ?=

.PHONY: demo demo-s3 test lint format bench bench-distributed bench-extract clean

$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The bundled pip (23.x) ignores lxml's html-clean extra; trafilatura then fails at import.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/python scripts/demo.py --port $(DEMO_PORT)

demo-s3: $(STAMP)
	$(BIN)/python scripts/demo_s3.py

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy crawler pipelines

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_reextract.py
	$(BIN)/python benchmarks/bench_export.py $(BENCH_EXPORT_ARGS)

# distributed mode: one worker against the single-process crawl, and two workers
bench-distributed: $(STAMP)
	$(BIN)/python benchmarks/bench_distributed.py $(BENCH_ARGS)

# extraction CPU per page against the extractor before the second round of extraction work
bench-extract: $(STAMP)
	$(BIN)/python benchmarks/bench_extract_cpu.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
