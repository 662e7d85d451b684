# Sunshine: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
.PHONY: demo test serve lint typecheck bench clean system-deps

# Debian packages the project needs outside Python, one per line (keep it a plain list):
# fonts-wqy-microhei is the CJK font chart.png and the simulate charts are drawn with;
# chromium is the browser the browser-verifier tests drive (Playwright, no browser download).
# (PostgreSQL for the database-store tests is installed by .ci/ensure-postgresql.)
SYSTEM_PACKAGES := \
	fonts-wqy-microhei \
	chromium

# Installs only the missing packages, and only as root (elsewhere it says what to install).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y $$missing || { apt-get update && apt-get install -y $$missing; }; \
	else echo "please install:$$missing (apt-get install -y$$missing)"; fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: system-deps $(STAMP)
	$(BIN)/python -m api.demo --out demo-out

# The placement-day service on http://127.0.0.1:8000/ with the samples loaded as published runs.
serve: system-deps $(STAMP)
	$(BIN)/sunshine serve --demo --data sunshine-data

test: system-deps $(STAMP)
	$(BIN)/ruff check engine api audit tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/lottery.py
	$(BIN)/python benchmarks/points.py
	$(BIN)/python benchmarks/classes.py --city 100
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/audit.py

clean:
	rm -rf $(VENV) demo-out sunshine-data .pytest_cache .mypy_cache .ruff_cache
