"""newsdesk's core: ingest, store, embedding and query.

numpy's BLAS runs single-threaded here (unless the environment says otherwise; it is read
when numpy loads, so this must run before numpy is imported). newsdesk's matrix products
are small (a chunk's token states onto the 128-dim basis, a question's tokens against a
few hundred sentences), where OpenBLAS's thread hand-off cost ~10x the product itself,
and its waiting threads took the cores from ONNX Runtime, spaCy and questions answered
at once (docs/performance.md).
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
