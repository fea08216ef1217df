"""Front ends: the CLI and the Discord bot, over the engine in `index` (whose package
init gives numpy's BLAS one thread before numpy loads, for every entry point)."""
