"""App servers, a private PostgreSQL and HTTP "browsers" for the multi-node and fault tests.

Every node is the production server (gunicorn with the checked-in config), started on a
spare port of 127.0.0.1 against the database and Redis the test names; a browser is a
requests.Session (one cookie jar for every node, as behind a load balancer: cookies ignore
the port).
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import requests

from portal.testing.processes import free_port
from sso_apps.tests.idp.sp_harness import OneLoginSp, path_and_query, posted_form

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REQUEST_TIMEOUT = 15


class Node:
    """One gunicorn app server (portal/gunicorn.conf.py, two workers) in its own process group."""

    def __init__(self, name: str, *, env: dict[str, str], log_path: Path, workers: int = 2):
        self.name = name
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.process = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Return this node's URL for a path, or for a URL naming the public origin."""
        return self.base_url + path_and_query(path)

    def start(self, timeout: float = 45):
        self.launch()
        self.wait_ready(timeout)

    def launch(self):
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", str(ROOT / "portal" / "gunicorn.conf.py")],
                cwd=ROOT,
                env={
                    **self.env,
                    # The checked-in production config, sized for a test machine.
                    "PORT": str(self.port),
                    "TESSERA_BIND": f"127.0.0.1:{self.port}",
                    "WEB_CONCURRENCY": str(self.workers),
                    "TESSERA_WEB_THREADS": "2",
                    "TESSERA_WEB_GRACEFUL_TIMEOUT": "3",
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 45):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(self.url("/userconsole/login/"), timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Node {self.name} did not start:\n{self.log()[-3000:]}")
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Browser:
    """A user's browser: one cookie jar, requests sent to whichever node the test names."""

    def __init__(self):
        self.session = requests.Session()
        # (node, method, path, status, Retry-After, body) of every answer, for the fault tests.
        self.answers: list[tuple[str, str, str, int, str, str]] = []

    def _record(self, node: Node, response):
        self.answers.append(
            (
                node.name,
                response.request.method,
                urlsplit(response.request.url).path,
                response.status_code,
                response.headers.get("Retry-After", ""),
                response.text if response.status_code >= 500 else "",
            )
        )
        return response

    def get(self, node: Node, path: str, **kwargs):
        return self._record(
            node,
            self.session.get(
                node.url(path), allow_redirects=False, timeout=REQUEST_TIMEOUT, **kwargs
            ),
        )

    def post(self, node: Node, path: str, data: dict, **kwargs):
        return self._record(
            node,
            self.session.post(
                node.url(path),
                data=data,
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
                headers={"Referer": node.url(path)},
                **kwargs,
            ),
        )

    def form_post(self, node: Node, path: str, data: dict):
        """GET the page for its CSRF token, then POST the form with it."""
        page = self.get(node, path)
        assert page.status_code == 200, f"{path}: {page.status_code} {page.text[:300]}"
        return self.post(node, path, {**data, "csrfmiddlewaretoken": _csrf(page.text)})

    def console_sign_in(self, node: Node, email: str, password: str):
        response = self.form_post(
            node, "/userconsole/login/", {"email": email, "password": password}
        )
        assert response.status_code == 302, response.text[:500]
        return response

    def admin_sign_in(self, node: Node, email: str, password: str):
        response = self.form_post(
            node, "/admin/login/?next=/admin/", {"username": email, "password": password}
        )
        assert response.status_code == 302, response.text[:500]
        return response

    def signed_in(self, node: Node) -> bool:
        return self.get(node, "/userconsole/").status_code == 200

    def sp_login(
        self,
        node: Node,
        sp: OneLoginSp,
        url: str,
        *,
        password: str | None = None,
        email: str | None = None,
    ):
        """Send an SP's Redirect-binding AuthnRequest to a node and follow it to the end.

        Returns the last response: the auto-POST page with the SAMLResponse, or whatever
        the node answered instead (a 4xx/5xx page). Signs in on the way if asked to.
        """
        response = self.get(node, url)
        for _ in range(6):
            if response.status_code != 302:
                return response
            location = response.headers["Location"]
            if "/userconsole/login/" in urlsplit(location).path and email:
                response = self.form_post(node, location, {"email": email, "password": password})
                continue
            response = self.get(node, location)
        return response


def _csrf(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return unescape(match[1])


def saml_response_fields(page) -> tuple[str, dict]:
    assert page.status_code == 200, f"{page.status_code}: {page.text[:500]}"
    return posted_form(page.text)


class PostgresCluster:
    """A private PostgreSQL cluster (initdb/pg_ctl) in a temporary folder, on a spare port.

    PostgreSQL refuses to run as root: when the tests do, the cluster is run as the
    `postgres` system user (runuser), in a folder of its own outside pytest's 0700 one.
    """

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tessera-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log_path = self.folder / "postgres.log"
        self._as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_user = [shutil.which("runuser"), "-u", "postgres", "--"]

    @staticmethod
    def available() -> bool:
        if not (shutil.which("initdb") and shutil.which("pg_ctl")):
            return False
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return False
            return bool(shutil.which("runuser"))
        return True

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self):
        subprocess.run(
            [
                *self._as_user,
                shutil.which("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )

    def _ctl(self, *args: str):
        subprocess.run(
            [
                *self._as_user,
                shutil.which("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log_path),
                *args,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _options(self) -> str:
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c max_connections=50"
        )

    def start(self):
        self._ctl("-w", "-o", self._options(), "start")

    def stop(self, mode: str = "fast"):
        self._ctl("-w", "-m", mode, "stop")

    def restart(self, mode: str = "fast"):
        self._ctl("-w", "-m", mode, "-o", self._options(), "restart")

    def create_database(self, name: str):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def django_run(code: str, *, env: dict[str, str], timeout: float = 180) -> str:
    """Run Python with Django set up in a child process (e.g. migrate a private database)."""
    script = "import django\ndjango.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Child Django process failed:\n{result.stderr[-3000:]}")
    return result.stdout
