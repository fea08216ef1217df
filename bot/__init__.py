"""Front ends: the CLI and the Discord bot, over the engine in `index`.

Process setup that must happen before numpy loads: OpenBLAS gets one thread. The
engine's matrix work is small (a question's tokens against a few hundred sentences), and
OpenBLAS threads waking beside ONNX Runtime's made it slower, not faster: projecting a
question's token states took 12-22 ms after an ONNX run instead of 0.3 ms. An
OPENBLAS_NUM_THREADS the user set is kept.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
