# Quick start: `make run` (set up, index ./corpus, answer a question) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= Who is the Russian Foreign Minister that Blinken met?
EVAL_DIR ?= .newsdesk-eval
SHARED ?= ../shared
ND := $(BIN)/newsdesk
# Quality gates, set from measured figures with a margin (README: "Answer quality").
SEED_CHECKS := --check 'hit@1>=0.6' --check 'keyword_recall>=0.55' --check 'citation_validity>=1.0' \
	--check 'unsupported_rate<=0.05' --check 'answerable_refused<=0.2'
REUTERS_CHECKS := --check 'hit@1>=0.86' --check 'keyword_recall>=0.82' --check 'first_sentence>=0.62' \
	--check 'citation_validity>=1.0' \
	--check 'unanswerable_refused>=0.46' --check 'answerable_refused<=0.06'
# The Reuters questions again as chat users type them (lower case, no question mark; then
# with a slip of a finger, `--typed slips`): names are read from capitals, and 3/15
# unanswerables were refused so before index/query/truecase.py; with slips, 17/70
# answerable ones were refused before index/query/spelling.py.
REUTERS_TYPED_CHECKS := --check 'hit@1>=0.84' --check 'keyword_recall>=0.86' \
	--check 'unanswerable_refused>=0.4' --check 'answerable_refused<=0.06'
SQUAD_CHECKS := --check 'hit@1>=0.82' --check 'keyword_recall>=0.87' --check 'first_sentence>=0.72' \
	--check 'unanswerable_refused>=0.33' --check 'answerable_refused<=0.07'
# The SQuAD dev questions as follow-ups: a name another question on the article also gives
# becomes "he" or "it" (training/follow_ups.py, 193 pairs, 21 of them unanswerable); the
# follow-ups alone are scored (keyword recall 0.808, first sentence 0.692, answerable
# refused 0.058, unanswerable refused 0.429; 0.506, 0.279, 0.169 and 0.286 before the
# conversation carried the names alone and asked a refused follow-up of each name).
FOLLOW_UP_CHECKS := --check 'keyword_recall>=0.75' --check 'first_sentence>=0.63' \
	--check 'unanswerable_refused>=0.33' --check 'answerable_refused<=0.10'
# Reuters questions about a story the collection does not have: each answerable one with a
# name swapped for another article's (benchmarks/name_swaps.py, 70, fixed seed); 0.843
# refused, 0.329 before the quoted article had to state the question's names.
SWAP_CHECKS := --check 'unanswerable_refused>=0.75'
SQUAD_SAMPLE ?= 0

.PHONY: install run chat test test-fast unit eval eval-seed eval-real eval-reuters eval-squad train lint typecheck format bench bench-scale bench-fp32 clean

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

# The tests, the gate's three corpora and the checks as parallel jobs, longest first: alone,
# each leaves one of the 2 cores idle much of the time (the tests wait on processes, the
# gate's index builds embed one group at a time). --output-sync keeps each job's output
# whole; -k runs the rest after a failure, so one run reports every failing part.
test: install
	$(MAKE) --no-print-directory -j2 -k --output-sync=target unit eval-reuters eval-squad eval-seed lint typecheck

# Two workers (pytest-xdist): the tests wait on subprocesses and disks as much as on the CPU.
# Work stealing: a worker that runs out takes tests queued for the other, so the long
# process tests don't end up behind each other (make unit 4:25 -> 3:51 on 2 idle cores).
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist worksteal

unit: install
	$(PYTEST)

# The inner loop: unit tests only (no servers, no newsdesk processes, no kill -9).
test-fast: install
	$(PYTEST) -m "not slow and not integration"

# Answer quality gate on the seed sets and on two real corpora (../shared/eval): a
# regression fails the build. Each index is built once per run.
eval: eval-seed eval-real

eval-seed: install
	rm -rf $(EVAL_DIR)/seed
	$(ND) --index-dir $(EVAL_DIR)/seed index --json > /dev/null
	for set in dev extra validation follow_up; do \
		$(ND) --index-dir $(EVAL_DIR)/seed eval tests/data/$${set}_questions.jsonl $(SEED_CHECKS) || exit 1; \
	done

eval-real: eval-reuters eval-squad

eval-reuters: install
	rm -rf $(EVAL_DIR)/reuters
	$(ND) --corpus-dir $(SHARED)/eval/reuters/corpus --index-dir $(EVAL_DIR)/reuters index --json > /dev/null
	$(ND) --corpus-dir $(SHARED)/eval/reuters/corpus --index-dir $(EVAL_DIR)/reuters \
		eval $(SHARED)/eval/reuters/questions.jsonl $(REUTERS_CHECKS)
	$(ND) --corpus-dir $(SHARED)/eval/reuters/corpus --index-dir $(EVAL_DIR)/reuters \
		eval $(SHARED)/eval/reuters/questions.jsonl --lowercase $(REUTERS_TYPED_CHECKS)
	$(ND) --corpus-dir $(SHARED)/eval/reuters/corpus --index-dir $(EVAL_DIR)/reuters \
		eval $(SHARED)/eval/reuters/questions.jsonl --typed slips $(REUTERS_TYPED_CHECKS)
	$(BIN)/python -m benchmarks.name_swaps $(SHARED)/eval/reuters/questions.jsonl \
		$(SHARED)/eval/reuters/corpus $(EVAL_DIR)/reuters-swaps \
		--names $(SHARED)/eval/reuters/questions.jsonl $(SHARED)/eval/squad/questions.jsonl > /dev/null
	$(ND) --corpus-dir $(SHARED)/eval/reuters/corpus --index-dir $(EVAL_DIR)/reuters \
		eval $(EVAL_DIR)/reuters-swaps/in_corpus.jsonl $(SWAP_CHECKS)

eval-squad: install
	rm -rf $(EVAL_DIR)/squad
	$(ND) --corpus-dir $(SHARED)/eval/squad/corpus --index-dir $(EVAL_DIR)/squad index --json > /dev/null
	$(ND) --corpus-dir $(SHARED)/eval/squad/corpus --index-dir $(EVAL_DIR)/squad \
		eval $(SHARED)/eval/squad/questions.jsonl --sample $(SQUAD_SAMPLE) $(SQUAD_CHECKS)
	$(BIN)/python -m training.follow_ups $(SHARED)/eval/squad/questions.jsonl $(EVAL_DIR)/squad-follow-ups.jsonl
	$(ND) --corpus-dir $(SHARED)/eval/squad/corpus --index-dir $(EVAL_DIR)/squad \
		eval $(EVAL_DIR)/squad-follow-ups.jsonl --follow-ups $(FOLLOW_UP_CHECKS)

# Retrain the answer model (index/query/answerer.npz) and its report (training/report.md).
# The training indexes are built afresh: ones carried over from older code gave other weights.
train: install
	rm -rf training/.work
	$(BIN)/python -m training.train_answerer

lint: install
	$(BIN)/ruff check bot index tests benchmarks training
	$(BIN)/ruff format --check bot index tests benchmarks training

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format bot index tests benchmarks training
	$(BIN)/ruff check --fix bot index tests benchmarks training

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
	rm -rf $(VENV) $(TORCH_VENV) .newsdesk $(EVAL_DIR) training/.work *.egg-info
