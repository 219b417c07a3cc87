"""Hello-world ceiling for the labeling-loop benchmark (benchmarks/loop.py).

A minimal FastAPI app with one async GET endpoint returning a small JSON body, served by
uvicorn the same way `fairlabel serve` serves the real app, so that the difference between
the two is the cost of fairlabel's own code (auth, database, domain logic), not of the stack.

    python benchmarks/hello_app.py --host 127.0.0.1 --port 8765 [--workers N]

Keep UVICORN_SETTINGS in step with the `uvicorn.run(...)` call of `fairlabel serve`
(src/fairlabel/adapters/cli/); loop.py prints both so a drift is visible.
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="hello", docs_url=None, redoc_url=None)


@app.get("/hello")
async def hello() -> dict[str, str]:
    # `async def`, like fairlabel's next and submit: on SQLite they make no hop to the thread
    # pool either, so the ceiling is what the stack serves with no hop at all.
    return {"hello": "world"}


def create_app() -> FastAPI:
    """Factory, because `fairlabel serve` runs its app through a factory too."""
    return app


# Mirrors the `uvicorn.run(...)` call of `fairlabel serve` (src/fairlabel/adapters/cli/serve.py:
# import string + factory=True, access log off, log level info, 5 s graceful shutdown);
# host/port/workers come from the command line, like `fairlabel serve --host --port --workers`.
APP_FACTORY = "hello_app:create_app"
UVICORN_SETTINGS: dict[str, object] = {
    "factory": True,
    "access_log": False,
    "log_level": "info",
    "timeout_graceful_shutdown": 5,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    uvicorn.run(APP_FACTORY, host=a.host, port=a.port, workers=a.workers,
                app_dir=os.path.dirname(os.path.abspath(__file__)),
                **UVICORN_SETTINGS)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
