"""Content-addressed certificate files for pysaml2, which insists on a path for cert_file.

The file name is the SHA-256 of the PEM, so a file can never hold stale content and
every worker process can share the folder. Only public certificates go here.
"""

import hashlib
import os
import tempfile
from pathlib import Path

_DEFAULT_DIR = Path(tempfile.gettempdir()) / f"tessera-certificates-{os.getuid()}"


def certificate_file(pem: str, *, directory: Path | None = None) -> str:
    """Return the path of a file holding exactly this certificate, writing it if needed."""
    folder = directory or _DEFAULT_DIR
    data = pem.strip().encode("ascii") + b"\n"
    path = folder / f"{hashlib.sha256(data).hexdigest()}.pem"
    if not path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write then rename, so a concurrent reader never sees a half-written file.
        fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    return str(path)
