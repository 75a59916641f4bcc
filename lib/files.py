"""Files written for others to read while they are being written (print shops' scripts, nginx)."""

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes) -> None:
    """A file appears whole or not at all: a script watching the folder never reads half a PDF,
    nginx never serves half a page. Readable by everyone, like any file the portal publishes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
