# Quick start: `make run` (set up, index ./corpus, answer a question) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= Who is the Russian Foreign Minister that Blinken met?
EVAL_DIR ?= .newsdesk-eval
EVAL_CHECKS := --check 'hit@1>=0.85' --check 'hit@3>=0.95' --check 'keyword_recall>=0.85' \
	--check 'citation_validity>=1.0' --check 'unsupported_rate<=0.05' \
	--check 'answered_unanswerable<=0' --check 'abstained_answerable<=1'

.PHONY: install run chat test test-fast unit eval lint typecheck format bench bench-scale bench-fp32 clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/newsdesk index
	$(BIN)/newsdesk ask "$(QUESTION)"

chat: install
	$(BIN)/newsdesk index
	$(BIN)/newsdesk chat

test: install lint typecheck unit eval

# Two workers (pytest-xdist): the tests wait on subprocesses and disks as much as on the CPU.
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n 2

unit: install
	$(PYTEST)

# The inner loop: unit tests only (no servers, no newsdesk processes, no kill -9).
test-fast: install
	$(PYTEST) -m "not slow and not integration"

# Answer quality gate: a regression on the dev set fails the build.
eval: install
	rm -rf $(EVAL_DIR)
	$(BIN)/newsdesk --index-dir $(EVAL_DIR) index --json
	$(BIN)/newsdesk --index-dir $(EVAL_DIR) eval tests/data/dev_questions.jsonl $(EVAL_CHECKS)
	$(BIN)/newsdesk --index-dir $(EVAL_DIR) eval tests/data/extra_questions.jsonl $(EVAL_CHECKS)
	$(BIN)/newsdesk --index-dir $(EVAL_DIR) eval tests/data/validation_questions.jsonl $(EVAL_CHECKS)
	rm -rf $(EVAL_DIR)

lint: install
	$(BIN)/ruff check bot index tests benchmarks
	$(BIN)/ruff format --check bot index tests benchmarks

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format bot index tests benchmarks
	$(BIN)/ruff check --fix bot index tests benchmarks

bench: install
	$(BIN)/python -m benchmarks.run

# Incremental cost vs corpus size with the hashing stand-in embedder (table + PNG).
bench-scale: install
	$(BIN)/python -m benchmarks.scale --sizes 2000,10000,50000

# Embedding throughput against sentence-transformers fp32. torch's CPU build goes in
# first: a plain `torch` requirement would pull GBs of CUDA packages.
TORCH_VENV ?= .venv-torch
bench-fp32:
	$(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install -q torch==2.13.0
	$(TORCH_VENV)/bin/python -m pip install -q -e ".[torch]"
	$(TORCH_VENV)/bin/python -m benchmarks.run --sections embed

clean:
	rm -rf $(VENV) $(TORCH_VENV) .newsdesk $(EVAL_DIR) *.egg-info
