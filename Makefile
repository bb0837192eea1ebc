# The two quick-start commands: `make report` and `make test`. Each creates .venv and installs on first use.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
DATASET ?= german_credit
TORCH_INDEX ?=

.PHONY: report test install clean sync-template

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned; on Linux PyPI's torch is the CUDA build (multi-GB of nvidia-* wheels): pass
	# TORCH_INDEX=https://download.pytorch.org/whl/cpu for the CPU-only wheel (README, "Install")
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	touch $@

install: $(BIN)/.installed

report: $(BIN)/.installed
	$(BIN)/synthlib render $(DATASET)

test: $(BIN)/.installed
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) reports .cache

# synthlib/templates/ holds the canonical report template (package data); the repository's report/ and _quarto.yml
# are the example project's copies (tests/test_render.py checks they are identical).
sync-template:
	cp synthlib/templates/audit.qmd report/audit.qmd
	cp synthlib/templates/tables.css report/tables.css
	mkdir -p report/sections && rm -f report/sections/*.md.j2 && cp synthlib/templates/sections/*.md.j2 report/sections/
	cp synthlib/templates/_quarto.yml _quarto.yml
	cp synthlib/templates/data/german_credit.csv synthlib/templates/data/README.md data/
