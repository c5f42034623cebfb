"""The deployment files agree with the code: every variable documented, one command per process."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = [*sorted((ROOT / "portal" / "settings").glob("*.py")), ROOT / "portal/gunicorn.conf.py"]
# env.str("NAME", ...), os.environ.get("NAME"), _int("NAME", ...) in gunicorn.conf.py.
_READ = re.compile(r"""(?:env\.\w+|os\.environ\.get|_int)\(\s*['"]([A-Z][A-Z0-9_]+)['"]""")
_LISTED = re.compile(r"^#?\s?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def _variables_read() -> set[str]:
    return {name for path in READERS for name in _READ.findall(path.read_text())}


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_the_settings_read_variables_this_test_can_see():
    # Guard against a regex that finds nothing: these are certainly read.
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY", "PORT"} <= _variables_read()


def test_env_example_lists_every_variable_the_settings_read_and_no_other():
    listed = set(_LISTED.findall((ROOT / ".env.production.example").read_text()))
    read = _variables_read() | {"DJANGO_SETTINGS_MODULE"}
    assert sorted(read - listed) == [], "variables read but not in .env.production.example"
    assert sorted(listed - read) == [], "variables in .env.production.example nothing reads"


def test_env_example_gives_each_variable_a_comment():
    lines = (ROOT / ".env.production.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if _LISTED.match(line):
            above = lines[number - 1]
            # A comment of its own, or part of a group under one comment.
            assert above.startswith("#"), f"no comment above {line!r}"


def test_procfile_has_web_worker_and_beat_and_the_units_run_the_same_commands():
    processes = _procfile()
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"] == "gunicorn -c portal/gunicorn.conf.py"
    for name, command in processes.items():
        unit = (ROOT / "deploy" / "systemd" / f"tessera-{name}.service").read_text()
        exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)[1]
        assert exec_start == f"/opt/tessera/.venv/bin/{command}", name
        assert "EnvironmentFile=/etc/tessera/tessera.env" in unit


def test_honcho_accepts_the_procfile():
    honcho = Path(sys.executable).parent / "honcho"
    result = subprocess.run(
        [honcho, "check", "-f", "Procfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Valid procfile detected (web, worker, beat)" in result.stderr
