# Sunshine: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the engines need outside Python (one list; add names here).
# fonts-wqy-microhei: the CJK font of the simulate charts (api/simulate_charts.py)
SYSTEM_PACKAGES := fonts-wqy-microhei

.PHONY: demo test lint typecheck bench clean system-deps

# Installs the missing SYSTEM_PACKAGES with apt-get when run as root; otherwise only says which are missing.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get install -y $$missing || { apt-get update && apt-get install -y $$missing; }; \
	else echo "missing system packages:$$missing (run as root: make system-deps)"; fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: system-deps $(STAMP)
	$(BIN)/python -m api.demo --out demo-out

test: system-deps $(STAMP)
	$(BIN)/ruff check engine api audit tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/lottery.py
	$(BIN)/python benchmarks/points.py
	$(BIN)/python benchmarks/classes.py --city 100
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/audit.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
