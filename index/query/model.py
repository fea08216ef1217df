"""The learned answerer: a sentence ranker, its calibration, and the abstain decision.

Everything lives in one small file, `answerer.npz`, written by `make train`
(training/train_answerer.py, which reports train and validation figures):

- `trees`: gradient-boosted trees (LightGBM LambdaRank over `features.FEATURES`; three
  seeds' rankers averaged, their trees stored together with leaf values divided by three),
  stored as flat arrays and evaluated here with numpy as leaf masks (`LeafMasks`; no
  LightGBM at run time);
- `calibration`: logistic regression turning a sentence's raw score, and its distance to
  the question's best, into P(this sentence states the answer);
- `abstain`: logistic regression over question-level evidence (`abstain_features`)
  giving P(the articles answer the question), and the operating point chosen on the
  precision/recall curve of held-out training questions;
- `answer_types`: P(entity label | question's answer-type key), learned from where the
  training answers sit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from index.errors import NewsdeskError

MODEL_FILE = Path(__file__).with_name("answerer.npz")


@dataclass(frozen=True)
class Trees:
    feature: np.ndarray  # (nodes,) int32; leaves loop to themselves
    threshold: np.ndarray  # (nodes,) float32; +inf at leaves
    left: np.ndarray  # (nodes,) int32
    right: np.ndarray  # (nodes,) int32
    value: np.ndarray  # (nodes,) float32; leaf values, 0 elsewhere
    roots: np.ndarray  # (trees,) int32
    depth: int  # the deepest path (the file records it)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Sum of leaf values over trees, for every row."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float32)
        masks = self._masks
        return masks.predict(X) if masks is not None else self.walk(X)

    def walk(self, X: np.ndarray) -> np.ndarray:
        """`predict` by walking: every (row, tree) pair steps down together, and a pair
        leaves the step once it reaches a leaf (most paths end long before the deepest)."""
        rows, columns = X.shape
        trees = len(self.roots)
        node = np.tile(self.roots, rows)  # pair k: row k // trees, tree k % trees
        offset = np.repeat(np.arange(rows, dtype=np.int64) * columns, trees)
        values = np.ascontiguousarray(X).ravel()
        active = np.flatnonzero(self.left[node] != node)
        while active.size:
            at = node[active]
            go_left = values[offset[active] + self.feature[at]] <= self.threshold[at]
            node[active] = reached = np.where(go_left, self.left[at], self.right[at])
            active = active[self.left[reached] != reached]
        return self.value[node].reshape(rows, trees).sum(axis=1)  # type: ignore[no-any-return]

    @cached_property
    def _masks(self) -> LeafMasks | None:
        return LeafMasks.of(self)


@lru_cache(maxsize=1)
def _lowest_bits() -> np.ndarray:
    """The place of the lowest bit set, for every 16-bit number (0 for 0)."""
    n = np.arange(1 << 16, dtype=np.int64)
    out = np.zeros(1 << 16, dtype=np.uint8)
    out[1:] = np.log2((n[1:] & -n[1:]).astype(np.float64)).astype(np.uint8)
    return out


@dataclass(frozen=True)
class LeafMasks:
    """A tree set in QuickScorer's form (Lucchese et al., SIGIR 2015): no walking. Each
    tree's leaves are bits, left to right. A test that sends a row right rules out the
    leaves of its left subtree, so the row's leaf is the leftmost bit no test ruled out,
    whatever order the tests are made in. Every test of every tree is one numpy comparison
    over a block of rows: faster than walking (docs/answer-quality.md: "Leaf masks, per-article features,
    kept sentences"), the same leaves, the same sums."""

    # The tests slot by slot (every tree's first test, then every tree's second, ...), so
    # a block's tests are one row gather and its rulings one reduction over whole arrays.
    feature: np.ndarray  # (nodes * trees,) intp, each tree padded to `nodes` tests
    threshold: np.ndarray  # (nodes * trees, 1) float32; +inf pads
    ruled_out: np.ndarray  # (nodes * trees, 1) the leaves a test rules out when it sends a row right
    value: np.ndarray  # (trees * leaves,) float32 leaf values, left to right, 0 pads
    trees: int
    nodes: int  # tests per tree (the most any tree has)
    leaves: int  # leaves per tree (the most any tree has)

    BLOCK = 1 << 18  # (row, test) pairs at once: a block's arrays stay in the CPU's caches

    @classmethod
    def of(cls, t: Trees) -> LeafMasks | None:
        """None when a tree has more than 64 leaves (no mask holds it): `walk` then.
        Built a level at a time (a few numpy steps per level, ~1 ms)."""
        n = len(t.left)
        is_leaf = t.left == np.arange(n)
        tree = np.full(n, -1, dtype=np.int64)
        tree[t.roots] = np.arange(len(t.roots))
        levels, frontier = [], t.roots
        while frontier.size:  # the tests of each level, top down
            level = frontier[~is_leaf[frontier]]
            levels.append(level)
            tree[t.left[level]] = tree[t.right[level]] = tree[level]
            frontier = np.concatenate([t.left[level], t.right[level]])
        count = is_leaf.astype(np.int64)  # leaves under each node
        for level in reversed(levels):
            count[level] = count[t.left[level]] + count[t.right[level]]
        position = np.zeros(n, dtype=np.int64)  # its leftmost leaf's place in its tree
        for level in levels:
            position[t.left[level]] = position[level]
            position[t.right[level]] = position[level] + count[t.left[level]]
        inner = np.flatnonzero(~is_leaf)
        trees, leaves = len(t.roots), int(count[t.roots].max())
        if leaves > 64:
            return None
        kind = np.uint16 if leaves <= 16 else np.uint32 if leaves <= 32 else np.uint64
        owner = tree[inner]
        order = np.argsort(owner, kind="stable")  # each tree's tests together
        per_tree = np.bincount(owner, minlength=trees)
        nodes = int(per_tree.max())
        slot = np.arange(len(inner)) - np.repeat(np.cumsum(per_tree) - per_tree, per_tree)
        at = slot * trees + owner[order]
        tested = inner[order]
        feature = np.zeros(nodes * trees, dtype=np.intp)
        threshold = np.full(nodes * trees, np.inf, dtype=np.float32)
        ruled_out = np.zeros(nodes * trees, dtype=kind)
        feature[at], threshold[at] = t.feature[tested], t.threshold[tested]
        one = np.uint64(1)
        under_left = (one << count[t.left[tested]].astype(np.uint64)) - one  # at most 63 leaves
        ruled_out[at] = (under_left << position[tested].astype(np.uint64)).astype(kind)
        value = np.zeros(trees * leaves, dtype=np.float32)
        leaf = np.flatnonzero(is_leaf)
        value[tree[leaf] * leaves + position[leaf]] = t.value[leaf]
        return cls(feature, threshold[:, None], ruled_out[:, None], value, trees, nodes, leaves)

    def predict(self, X: np.ndarray) -> np.ndarray:
        out = np.empty(len(X), dtype=np.float32)
        kind = self.ruled_out.dtype.type
        first_leaf = (np.arange(self.trees) * self.leaves)[:, None]
        step = max(1, self.BLOCK // max(1, len(self.feature)))
        for start in range(0, len(X), step):
            block = X[start : start + step]
            tested = np.ascontiguousarray(block.T)[self.feature]  # (tests, rows)
            right = ~(tested <= self.threshold)  # NaN goes right, as in `walk`
            rulings = np.multiply(right, self.ruled_out, dtype=kind)
            gone = np.bitwise_or.reduce(rulings.reshape(self.nodes, self.trees, len(block)), axis=0)
            alive = ~gone  # (trees, rows); the leftmost leaf left is the lowest bit set
            if kind is np.uint16:
                leaf = _lowest_bits()[alive].astype(np.intp)
            else:
                leaf = np.log2((alive & (~alive + kind(1))).astype(np.float64)).astype(np.intp)
            # one row's leaf values contiguous, summed in tree order as `walk` sums them
            out[start : start + step] = np.ascontiguousarray(self.value[leaf + first_leaf].T).sum(axis=1)
        return out


@dataclass(frozen=True)
class Logistic:
    names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, X: np.ndarray) -> np.ndarray:
        z = ((X - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AnswerModel:
    features: list[str]
    trees: Trees
    calibration: Logistic  # over [raw, raw - best raw]
    abstain: Logistic
    answer_threshold: float  # answer when P(answerable) >= this
    extra_sentence: float  # quote a further sentence when its P >= this
    answer_types: dict[str, dict[str, float]]
    # Which sentence is quoted first: trees trained on news-shaped questions as well as
    # SQuAD's (a news lead restates the question; SQuAD never taught that). The
    # probabilities, and so abstention and further sentences, stay the SQuAD ranker's.
    # None: the ranker's best sentence goes first.
    first: Trees | None = None

    def expected_types(self, head: str) -> dict[str, float]:
        """P(label) for an answer-type key, backing off from "what:price" to "what"."""
        return self.answer_types.get(head) or self.answer_types.get(head.split(":", 1)[0], {})

    def sentence_probabilities(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(raw ranking scores, calibrated probabilities) of a question's candidates."""
        raw = self.trees.predict(X)
        if len(raw) == 0:
            return raw, raw
        both = np.column_stack([raw, raw - raw.max()])
        return raw, self.calibration.probability(both)

    def first_sentence(self, X: np.ndarray, probabilities: np.ndarray) -> int | None:
        """The row quoted first: the `first` trees' best among the rows the checks left
        standing (probability above 0); None when there are no such trees or rows."""
        if self.first is None or not len(X) or not probabilities.any():
            return None
        scores = np.where(probabilities > 0, self.first.predict(X), -np.inf)
        return int(np.argmax(scores))


# Sentence features the abstain model reads for the best sentence, and as the best value of all.
_OF_BEST = (
    "key_cov", "key_ctx", "key_art", "num_cov", "num_art", "focus_ctx", "exp_type", "exp_none",
    "idf_cov", "ctx_cov", "art_cov", "cos", "ms", "msw", "art_vec", "n_keys", "n_q", "focus_ent",
)  # fmt: skip
_OF_ALL = ("key_art", "num_art", "art_cov", "cos", "ms", "art_vec", "ctx_cov", "focus_ent")
ABSTAIN_FEATURES = [
    "p1", "p2", "logit_p1", "p_sum3", "drop", *(f"top_{n}" for n in _OF_BEST), *(f"max_{n}" for n in _OF_ALL),
]  # fmt: skip


def abstain_features(
    X: np.ndarray, probabilities: np.ndarray, features: list[str], unchecked: np.ndarray | None = None
) -> dict[str, float]:
    """Question-level evidence: how sure the best sentence is, and whether the question's
    names, numbers and focus word are found in it, around it and in its article.

    unchecked: the probabilities before the period, name, opposite and count checks (`drop`
    is how much they took off the best one: the topic is there, but what its likeliest
    sentence states is another year, company, count or the opposite of what the question
    asks about)."""
    col = {name: i for i, name in enumerate(features)}
    if len(X) == 0:
        return {name: 0.0 for name in ABSTAIN_FEATURES}
    order = np.argsort(-probabilities)
    best = X[order[0]]
    p1 = float(probabilities[order[0]])
    p2 = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    out = {
        "p1": p1,
        "p2": p2,
        "logit_p1": float(np.log(max(p1, 1e-6) / max(1 - p1, 1e-6))),
        "p_sum3": float(probabilities[order[:3]].sum()),
        "drop": float(unchecked.max()) - p1 if unchecked is not None else 0.0,
    }
    for name in _OF_BEST:
        out[f"top_{name}"] = float(best[col[name]])
    for name in _OF_ALL:
        out[f"max_{name}"] = float(X[:, col[name]].max())
    return out


def _logistic(data: dict[str, np.ndarray], prefix: str) -> Logistic:
    return Logistic(
        names=json.loads(str(data[f"{prefix}_names"])),
        mean=data[f"{prefix}_mean"].astype(np.float32),
        scale=data[f"{prefix}_scale"].astype(np.float32),
        coef=data[f"{prefix}_coef"].astype(np.float32),
        intercept=float(data[f"{prefix}_intercept"]),
    )


def _trees(data: dict[str, np.ndarray], prefix: str, depth: int) -> Trees:
    return Trees(
        feature=data[f"{prefix}_feature"].astype(np.int32),
        threshold=data[f"{prefix}_threshold"].astype(np.float32),
        left=data[f"{prefix}_left"].astype(np.int32),
        right=data[f"{prefix}_right"].astype(np.int32),
        value=data[f"{prefix}_value"].astype(np.float32),
        roots=data[f"{prefix}_roots"].astype(np.int32),
        depth=depth,
    )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The answerer's weights; a missing or damaged file is an install problem, said plainly."""
    try:
        with np.load(path) as npz:
            data = {k: npz[k] for k in npz.files}
        meta = json.loads(str(data["meta"]))
        return AnswerModel(
            features=list(meta["features"]),
            trees=_trees(data, "tree", int(meta["depth"])),
            calibration=_logistic(data, "calibration"),
            abstain=_logistic(data, "abstain"),
            answer_threshold=float(meta["answer_threshold"]),
            extra_sentence=float(meta["extra_sentence"]),
            answer_types={k: dict(v) for k, v in meta["answer_types"].items()},
            first=_trees(data, "first_tree", int(meta["first_depth"])) if "first_depth" in meta else None,
        )
    except (OSError, KeyError, ValueError) as exc:
        raise NewsdeskError(
            f"the answer model {path} is missing or damaged ({exc}); reinstall newsdesk or run `make train`"
        ) from exc


def flatten_lightgbm(dump: dict) -> tuple[dict[str, np.ndarray], int]:  # type: ignore[type-arg]
    """LightGBM's `dump_model()` as the flat arrays `Trees` evaluates (used by training)."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 1

    def add(node: dict, level: int) -> int:  # type: ignore[type-arg]
        nonlocal depth
        me = len(feature)
        feature.append(0)
        threshold.append(float("inf"))
        left.append(me)
        right.append(me)
        value.append(0.0)
        if "leaf_value" in node:
            value[me] = float(node["leaf_value"])
            depth = max(depth, level)
            return me
        if node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')}")
        feature[me] = int(node["split_feature"])
        threshold[me] = float(node["threshold"])
        left[me] = add(node["left_child"], level + 1)
        right[me] = add(node["right_child"], level + 1)
        return me

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    arrays = {
        "tree_feature": np.asarray(feature, dtype=np.int32),
        "tree_threshold": at_or_below(np.asarray(threshold, dtype=np.float64)),
        "tree_left": np.asarray(left, dtype=np.int32),
        "tree_right": np.asarray(right, dtype=np.int32),
        "tree_value": np.asarray(value, dtype=np.float32),
        "tree_roots": np.asarray(roots, dtype=np.int32),
    }
    return arrays, depth


def at_or_below(thresholds: np.ndarray) -> np.ndarray:
    """Each threshold as the largest float32 not above it. The features are float32, and a
    value between a float64 threshold and its nearest float32 (which may lie above it) went
    right in LightGBM but left here: the served trees then differed from the trained ones
    (by up to 6.7e-3 in a score before this)."""
    out = thresholds.astype(np.float32)
    above = out.astype(np.float64) > thresholds
    out[above] = np.nextafter(out[above], np.float32(-np.inf))
    return out
