"""The supervisor of `app.py serve --workers N`, in a process of its own size.

`app.py` is the composition root: running it imports the whole application (about 80 MB
resident) before `serve` even reads its arguments. With one worker that process serves; with
several it only starts and watches them (uvicorn spawns each worker as a fresh interpreter
that imports the app itself), so the 80 MB were dead weight. `serve` therefore replaces its
own process image (same PID: signals and the service manager see no change) with this
module, handing over uvicorn's arguments as JSON; it imports uvicorn and nothing of ours.
Measured: 82 MB → about 20 MB for the supervisor (tests/scaleout/test_workers.py).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent


def become(arguments: dict[str, Any]) -> NoReturn:
    """Replace this process with the supervisor, running `uvicorn.run(**arguments)`."""
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "web.supervise", json.dumps(arguments)])


def main() -> None:
    import uvicorn

    uvicorn.run(**json.loads(sys.argv[1]))


if __name__ == "__main__":
    main()
