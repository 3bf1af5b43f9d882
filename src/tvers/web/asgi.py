"""The ASGI entrypoint uvicorn loads in each worker process."""

from tvers.bootstrap import build
from tvers.web.app import create_app

app = create_app(build())
