"""The ASGI entrypoint uvicorn loads in each worker process."""

import gc

from tvers.bootstrap import build
from tvers.web.app import create_app

app = create_app(build())

# What start-up made (modules, the app, its routes and models) lives as long as the process: frozen, the full
# garbage collections that requests trigger no longer walk it, so their pauses stay short (BENCHMARKS.md, stock).
gc.collect()
gc.freeze()
