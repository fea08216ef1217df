"""EMBED_DEVICE: which ONNX Runtime provider embeds, and a clear error when CUDA is asked
for but absent (this machine's onnxruntime is the CPU build)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from index.embedding.onnx import MiniLMEncoder, providers_for
from index.errors import NewsdeskError
from tests.commands import newsdesk_command

CPU = ["CPUExecutionProvider"]
GPU = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


def test_provider_selection() -> None:
    assert providers_for("cpu", GPU) == CPU
    assert providers_for("auto", GPU) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers_for("auto", CPU) == CPU
    assert providers_for("cuda", GPU) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    with pytest.raises(NewsdeskError, match=r"no CUDA provider \(it has CPUExecutionProvider\)"):
        providers_for("cuda", CPU)
    with pytest.raises(NewsdeskError, match="unknown EMBED_DEVICE"):
        providers_for("gpu", GPU)


def test_cuda_without_a_gpu_build_is_an_error_and_auto_falls_back() -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has onnxruntime-gpu")
    with pytest.raises(NewsdeskError, match="pip install 'newsdesk\\[gpu\\]'"):
        MiniLMEncoder(device="cuda")
    assert MiniLMEncoder(device="auto").device == "cpu"


@pytest.mark.slow  # newsdesk processes
def test_cli_says_so_in_one_line(tmp_path: Path) -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has onnxruntime-gpu")
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Blinken met Lavrov in Geneva.", encoding="utf-8")
    done = subprocess.run(
        newsdesk_command(corpus, tmp_path / "i", "index"),
        capture_output=True,
        text=True,
        env={"EMBED_DEVICE": "cuda", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: EMBED_DEVICE=cuda, but this ONNX Runtime has no CUDA provider")
    assert done.stderr.count("\n") == 1


def test_a_profile_says_which_provider_ran_each_node(tmp_path: Path) -> None:
    """benchmarks/gpu_embed.py reads where nodes ran (CUDA may leave some on the CPU) from
    the encoder's ONNX Runtime profile."""
    import json

    encoder = MiniLMEncoder(profile_prefix=str(tmp_path / "prof"))
    assert encoder.providers == ["CPUExecutionProvider"]
    encoder.embed(["A first text.", "And a second one."])
    events = json.loads(Path(encoder.end_profiling()).read_text())
    ran = {
        e["args"]["provider"] for e in events if e.get("cat") == "Node" and "provider" in e.get("args", {})
    }
    assert ran == {"CPUExecutionProvider"}


def test_an_unoptimised_session_gives_the_same_vectors() -> None:
    """A one-question `ask` loads the model without graph optimisation (quicker to start):
    its vectors and token states must be the optimised session's."""
    texts = [
        "Who is the Russian Foreign Minister that Blinken met?",
        "GM would have a 60 pct stake in the venture.",
    ]
    optimised, plain = MiniLMEncoder().encode(texts), MiniLMEncoder(optimize=False).encode(texts)
    for a, b in zip(optimised, plain):
        assert float(np.abs(a.vector - b.vector).max()) < 1e-5
        assert a.hidden is not None and b.hidden is not None
        assert float(np.abs(a.hidden - b.hidden).max()) < 1e-4
        assert a.offsets == b.offsets


def test_mean_pooling_weighs_only_the_real_tokens() -> None:
    """A text's vector is the same alone and padded in a batch beside a longer one (the
    pooling counts the attention mask's tokens only), and it is unit length."""
    short = "GM would have a 60 pct stake."
    longer = "The venture would build vans at Luton, doubling output to 40,000 a year by 1990, GM said."
    alone = MiniLMEncoder(batch_size=1).embed([short])[0]
    batched = MiniLMEncoder(batch_size=2).embed([short, longer])[0]
    assert float(np.abs(alone - batched).max()) < 1e-5
    assert abs(float(np.linalg.norm(batched)) - 1.0) < 1e-5


def test_a_gpu_run_is_kept_in_latest_json_beside_the_other_sections(tmp_path: Path) -> None:
    """benchmarks/gpu_embed.py --latest puts a summary of its run under "gpu" (a row per
    configuration; a CUDA error row is left out) and keeps every other section."""
    import json

    from benchmarks.gpu_embed import merge_latest

    latest = tmp_path / "latest.json"
    latest.write_text(json.dumps({"build": [{"x": 1}], "runs": {"build": {"seconds": 3}}}))
    result = {
        "machine": {"cpu_count": 16},
        "onnxruntime": {"version": "1.31.1"},
        "texts": {"n": 3},
        "cpu": [{"threads": 16, "batch_size": 64, "chunks_per_s": 86.3}],
        "cuda": [
            {"batch_size": 64, "error": "no CUDA"},
            {
                "batch_size": 256,
                "chunks_per_s": 5903.7,
                "encode_chunks_per_s": 3750.1,
                "speedup_vs_cpu_all_cores": 68.41,
                "parity_vs_cpu": {"max_1_minus_cos": 4.8e-7},
            },
        ],
    }
    merge_latest(latest, result, tmp_path / "gpu.json")
    found = json.loads(latest.read_text())
    assert found["build"] == [{"x": 1}] and found["runs"]["build"] == {"seconds": 3}
    assert [(r["device"], r["batch_size"], r["chunks_per_s"]) for r in found["gpu"]] == [
        ("cpu, 16 threads", 64, 86.3),
        ("cuda", 256, 5903.7),
    ]
    assert found["gpu"][1]["max_1_minus_cos"] == 4.8e-7
    assert found["runs"]["gpu"]["onnxruntime"] == "1.31.1"
