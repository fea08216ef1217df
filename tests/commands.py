"""The `newsdesk` command line as tests run it: this interpreter, the repository's CLI."""

from __future__ import annotations

import sys
from pathlib import Path


def newsdesk_command(corpus: Path, index_dir: Path, *args: str) -> list[str]:
    """argv for `newsdesk --corpus-dir CORPUS --index-dir INDEX_DIR ARGS...` in a new process."""
    return [
        sys.executable,
        "-m",
        "bot.cli",
        "--corpus-dir",
        str(corpus),
        "--index-dir",
        str(index_dir),
        *args,
    ]
