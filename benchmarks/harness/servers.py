"""Start and stop gunicorn servers on spare ports; read their workers' memory."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """One gunicorn master with `workers` workers, in its own process group.

    Sync workers, or gthread workers with `threads` threads each when threads > 1.

    Use as a context manager: the group is terminated on exit, also after an exception
    or Ctrl-C, and killed if it does not stop within 10 s.
    """

    def __init__(
        self,
        app: str,
        *,
        port: int,
        env: dict[str, str],
        workers: int = 2,
        threads: int = 1,
        preload: bool = False,
    ):
        self.app, self.port, self.workers, self.preload = app, port, workers, preload
        self.threads = threads
        self.env = {**os.environ, **env}
        self.log = Path(tempfile.mkstemp(prefix="tessera-bench-gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            *(
                ["--worker-class=gthread", f"--threads={self.threads}"]
                if self.threads > 1
                else ["--worker-class=sync"]
            ),
            "--timeout=60",
            "--log-level=warning",
        ] + (["--preload"] if self.preload else [])
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited: {self.log.read_text()[-2000:]}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                    connection.request("GET", "/")
                    connection.getresponse().read()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.app} did not come up: {self.log.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def worker_rss_mb(self) -> float:
        """Return the largest resident set size among the workers, in MB."""
        return max((memory["rss"] for memory in self.worker_memory()), default=0.0)

    def worker_memory(self) -> list[dict[str, float]]:
        """Return each worker's RSS, PSS and USS in MB, from /proc/<pid>/smaps_rollup.

        RSS counts every page a worker maps, also those it shares with the master and
        the other workers; PSS divides shared pages among their sharers; USS (private
        clean + private dirty) is what stopping the worker would free.
        """
        found = []
        for pid in self.worker_pids():
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            kib = {}
            for line in text.splitlines()[1:]:
                name, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    kib[name] = int(rest.split()[0])
            found.append(
                {
                    "rss": kib.get("Rss", 0) / 1024,
                    "pss": kib.get("Pss", 0) / 1024,
                    "uss": (kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)) / 1024,
                }
            )
        return found

    def __exit__(self, *exc) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
