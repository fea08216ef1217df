"""Embedding throughput on ONNX Runtime's CUDA provider against the CPU, same machine, same process.

    python -m benchmarks.gpu_embed --corpus ../shared/eval/reuters/corpus --out gpu.json
    python -m benchmarks.gpu_embed --texts texts.json --out gpu.json

texts.json holds {"texts": [...]}: real article chunks (Reuters bodies of
../shared/eval/reuters/corpus cut into 200-word pieces). Each configuration embeds them
through `MiniLMEncoder.embed` (tokenising, length-sorted batches, mean pooling: what
`newsdesk index` pays); the figure is the median of the timed passes (--repeat on CUDA
after a warm-up pass over all texts, --cpu-repeat on the CPU after two batches). CUDA
rows also time `MiniLMEncoder.encode` (vectors plus each token's state copied out per
chunk: what the index build calls, for its sentence vectors and token states).
Parity: 1 - cosine between the CPU vectors (all cores) and each CUDA run's vectors of
the same texts. Where each model node ran is read from an ONNX Runtime profile of one
batch (nodes without a CUDA kernel fall back to the CPU inside a CUDA session); GPU
utilisation is sampled with nvidia-smi while the CUDA runs go. Needs onnxruntime-gpu
(`pip install 'newsdesk[gpu]'`); without the CUDA provider only the CPU rows are filled.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np


class GpuSampler:
    """nvidia-smi utilisation samples every 100 ms, tagged with the phase running then."""

    def __init__(self) -> None:
        self.phase = "idle"
        self.samples: list[tuple[str, float, float]] = []  # (phase, util %, memory MiB)
        self._proc: subprocess.Popen[str] | None = None
        if shutil.which("nvidia-smi"):
            self._proc = subprocess.Popen(
                [
                    "nvidia-smi",
                    "--query-gpu=utilization.gpu,memory.used",
                    "--format=csv,noheader,nounits",
                    "-lms",
                    "100",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                util, mem = (float(x) for x in line.split(","))
            except ValueError:
                continue
            self.samples.append((self.phase, util, mem))

    def summary(self) -> dict[str, Any]:
        if self._proc is not None:
            self._proc.terminate()
        by_phase: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for phase, util, mem in self.samples:
            by_phase[phase].append((util, mem))
        return {
            phase: {
                "samples": len(rows),
                "util_mean_pct": round(statistics.mean(u for u, _ in rows), 1),
                "util_max_pct": max(u for u, _ in rows),
                "memory_max_mib": max(m for _, m in rows),
            }
            for phase, rows in by_phase.items()
        }


def timed(
    encoder: Any, texts: list[str], repeat: int, warmup: int | None = None, method: str = "embed"
) -> tuple[float, list[float], Any]:
    """(median chunks/s, every pass's seconds, the last pass's output) after an untimed
    warm-up pass over the first `warmup` texts (all when None). method "embed": vectors
    only; "encode": vectors plus every token's state, what `newsdesk index` asks for."""
    run = getattr(encoder, method)
    run(texts[:warmup] if warmup else texts)
    seconds, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run(texts)
        seconds.append(time.perf_counter() - start)
    assert out is not None
    return len(texts) / statistics.median(seconds), seconds, out


def parity(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """1 - cosine of matching rows (both sides are L2-normalised by the encoder)."""
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    d = 1.0 - cos
    return {"max_1_minus_cos": float(d.max()), "mean_1_minus_cos": float(d.mean())}


def node_placement(device: str, texts: list[str], batch_size: int) -> dict[str, Any]:
    """Which provider ran each model node, from an ONNX Runtime profile of one batch."""
    from index.embedding.onnx import MiniLMEncoder

    with tempfile.TemporaryDirectory() as tmp:
        enc = MiniLMEncoder(batch_size=batch_size, device=device, profile_prefix=str(Path(tmp) / "prof"))
        enc.embed(texts[:batch_size])
        events = json.loads(Path(enc.end_profiling()).read_text())
        session_providers = enc.providers
    nodes: dict[str, tuple[str, str]] = {}  # node name -> (provider, op type)
    time_us: collections.Counter[str] = collections.Counter()
    for ev in events:
        args = ev.get("args") or {}
        if ev.get("cat") == "Node" and "provider" in args and ev["name"].endswith("_kernel_time"):
            nodes[ev["name"]] = (args["provider"], args.get("op_name", "?"))
            time_us[args["provider"]] += int(ev.get("dur", 0))
    per_provider: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for provider, op in nodes.values():
        per_provider[provider][op] += 1
    return {
        "session_providers": session_providers,
        "nodes_per_provider": {p: sum(c.values()) for p, c in per_provider.items()},
        "op_types_per_provider": {p: dict(c) for p, c in per_provider.items()},
        "kernel_time_us_per_provider": dict(time_us),
    }


def summary(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per configuration, the CPU rows first: what latest.json keeps of a run."""
    rows: list[dict[str, Any]] = [
        {
            "device": f"cpu, {r['threads']} threads",
            "batch_size": r["batch_size"],
            "chunks_per_s": r["chunks_per_s"],
        }
        for r in result["cpu"]
    ]
    for r in result["cuda"]:
        if "chunks_per_s" in r:
            rows.append(
                {
                    "device": "cuda",
                    "batch_size": r["batch_size"],
                    "chunks_per_s": r["chunks_per_s"],
                    "encode_chunks_per_s": r.get("encode_chunks_per_s"),
                    "speedup_vs_cpu_all_cores": r["speedup_vs_cpu_all_cores"],
                    "max_1_minus_cos": r["parity_vs_cpu"]["max_1_minus_cos"],
                }
            )
    return rows


def merge_latest(latest: Path, result: dict[str, Any], full: Path) -> None:
    """Put the run's summary under "gpu" in latest.json, keeping every other section (a
    GPU is seldom at hand, so its figures stay until the next GPU run)."""
    try:
        found = json.loads(latest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    found["gpu"] = summary(result)
    found.setdefault("runs", {})["gpu"] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": result["machine"],
        "onnxruntime": result["onnxruntime"]["version"],
        "texts": result["texts"],
        "full_result": str(full),
    }
    latest.write_text(json.dumps(found, indent=2, default=str), encoding="utf-8")


def corpus_chunks(corpus: Path) -> list[str]:
    """The chunks `newsdesk index` would embed for a corpus folder (default chunk sizes)."""
    from index.ingest.chunking import chunk_article
    from index.ingest.corpus_walk import load_corpus
    from index.settings import load_settings

    settings = load_settings(corpus_dir=corpus)
    articles, _ = load_corpus(corpus, settings.max_file_bytes)
    return [
        n.get_content()
        for a in articles
        for n in chunk_article(a, settings.chunk_size, settings.chunk_overlap)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--texts", type=Path, help='JSON file {"texts": [...]}')
    source.add_argument(
        "--corpus", type=Path, help="a corpus folder: its chunks, cut as `newsdesk index` cuts them"
    )
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--batch-sizes", default="64,256,1024", help="CUDA batch sizes")
    ap.add_argument("--cpu-batch-size", type=int, default=64)
    ap.add_argument("--cpu-threads", default=f"{os.cpu_count()},2", help="CPU runs' thread counts")
    ap.add_argument("--cpu2-texts", type=int, default=400, help="texts for CPU runs under 8 threads")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes on CUDA")
    ap.add_argument("--cpu-repeat", type=int, default=1, help="timed passes on the CPU")
    ap.add_argument(
        "--latest",
        type=Path,
        help="also merge a summary into this latest.json (benchmarks/results/latest.json), under 'gpu'",
    )
    args = ap.parse_args()

    import onnxruntime as ort

    from index.embedding.onnx import MiniLMEncoder

    texts = json.loads(args.texts.read_text())["texts"] if args.texts else corpus_chunks(args.corpus)
    available = ort.get_available_providers()
    preload = None
    if "CUDAExecutionProvider" in available and hasattr(ort, "preload_dlls"):
        try:  # CUDA/cuDNN from the nvidia-* pip packages, when the loader can't find them
            ort.preload_dlls()
            preload = "ok"
        except Exception as exc:  # noqa: BLE001 - recorded, the session may still start
            preload = f"failed: {exc}"
    result: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "onnxruntime": {
            "version": ort.__version__,
            "file": ort.__file__,
            "available_providers": available,
            "preload_dlls": preload,
        },
        "texts": {
            "n": len(texts),
            "mean_words": round(statistics.mean(len(t.split()) for t in texts), 1),
        },
        "method": "MiniLMEncoder.embed (tokenise + length-sorted batches + pooling); "
        f"CUDA: a warm-up pass over all texts, then the median of {args.repeat} timed passes; "
        f"CPU: a warm-up pass over {2 * args.cpu_batch_size} texts, then the median of "
        f"{args.cpu_repeat} timed pass(es); chunks/s = texts / seconds of one pass",
        "cpu": [],
        "cuda": [],
    }
    if shutil.which("nvidia-smi"):
        q = "name,driver_version,memory.total"
        result["machine"]["gpu"] = subprocess.run(
            ["nvidia-smi", f"--query-gpu={q}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    print(json.dumps(result, indent=1), flush=True)

    sampler = GpuSampler()
    reference: np.ndarray | None = None
    for threads in (int(t) for t in args.cpu_threads.split(",")):
        subset = texts if threads >= 8 else texts[: args.cpu2_texts]
        enc = MiniLMEncoder(threads=threads, batch_size=args.cpu_batch_size, device="cpu")
        sampler.phase = f"cpu_t{threads}"
        rate, seconds, vectors = timed(enc, subset, args.cpu_repeat, warmup=2 * args.cpu_batch_size)
        row: dict[str, Any] = {
            "threads": threads,
            "batch_size": args.cpu_batch_size,
            "n": len(subset),
            "chunks_per_s": round(rate, 1),
            "seconds": [round(s, 3) for s in seconds],
        }
        if reference is None:
            reference = vectors
        else:
            row["parity_vs_first_cpu_run"] = parity(reference[: len(subset)], vectors)
        result["cpu"].append(row)
        print(json.dumps(row), flush=True)
        del enc
    assert reference is not None

    if "CUDAExecutionProvider" in available:
        for bs in (int(b) for b in args.batch_sizes.split(",")):
            try:
                enc = MiniLMEncoder(threads=os.cpu_count() or 1, batch_size=bs, device="cuda")
            except Exception as exc:  # noqa: BLE001 - the reason is the result
                result["cuda"].append({"batch_size": bs, "error": str(exc)})
                print(result["cuda"][-1], flush=True)
                continue
            sampler.phase = f"cuda_b{bs}"
            rate, seconds, vectors = timed(enc, texts, args.repeat)
            sampler.phase = f"cuda_encode_b{bs}"
            encode_rate, encode_seconds, _ = timed(enc, texts, args.repeat, warmup=bs, method="encode")
            sampler.phase = "idle"
            row = {
                "batch_size": bs,
                "n": len(texts),
                "session_providers": enc._session.get_providers(),
                "device": enc.device,
                "chunks_per_s": round(rate, 1),
                "seconds": [round(s, 3) for s in seconds],
                "parity_vs_cpu": parity(reference, vectors),
                "speedup_vs_cpu_all_cores": round(rate / result["cpu"][0]["chunks_per_s"], 2),
                "encode_chunks_per_s": round(encode_rate, 1),
                "encode_seconds": [round(s, 3) for s in encode_seconds],
            }
            result["cuda"].append(row)
            print(json.dumps(row), flush=True)
            del enc
        sampler.phase = "placement"
        try:
            result["cuda_node_placement"] = node_placement("cuda", texts, 256)
        except Exception as exc:  # noqa: BLE001
            result["cuda_node_placement"] = {"error": str(exc)}
    else:
        result["cuda"] = [{"error": f"no CUDAExecutionProvider in {available}"}]
    result["nvidia_smi"] = sampler.summary()
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    if args.latest:
        merge_latest(args.latest, result, args.out)
    print(json.dumps({k: result[k] for k in ("cuda_node_placement", "nvidia_smi") if k in result}, indent=1))


if __name__ == "__main__":
    main()
