"""deploy/ stays honest: the units run commands that exist, the env example names every setting the
production config reads, and the proxy sends the headers the app trusts (issue 13, hole 8)."""

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import system_binary

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
INSTALLED = "/opt/rallypoint/.venv/bin/"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name)
    return parser


def env_example() -> dict[str, str]:
    """NAME=value lines of the env example, set or commented out (`# NAME=value`)."""
    found = {}
    for line in (DEPLOY / "rallypoint.env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match.group(2)] = "" if match.group(1) else match.group(3)
    return found


def set_in_example() -> dict[str, str]:
    lines = (DEPLOY / "rallypoint.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line))


def local_command(exec_start: str) -> list[str]:
    """The unit's ExecStart with the installed venv swapped for this checkout's."""
    command = shlex.split(exec_start)
    assert command[0].startswith(INSTALLED), command[0]
    return [str(VENV_BIN / command[0].removeprefix(INSTALLED)), *command[1:]]


def run_here(command: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RALLYPOINT_", "FLASK_"))}
    env.update(RALLYPOINT_ENV="test", TEST_DATABASE_URL="sqlite://")
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("name", ["rallypoint-web.service", "rallypoint-scheduler.service"])
def test_units_run_as_a_dedicated_user_with_the_env_file_and_a_control_group_kill(name):
    service = unit(name)["Service"]
    assert service["User"] == "rallypoint" and service["Group"] == "rallypoint"
    assert service["EnvironmentFile"] == "/etc/rallypoint/rallypoint.env"
    assert service["WorkingDirectory"] == "/opt/rallypoint"
    assert service["KillMode"] == "control-group"  # a killed master's orphaned workers die with it
    assert service["Restart"] == "on-failure"
    assert 30 < int(service["TimeoutStopSec"]) <= 90
    assert service["ExecStart"].startswith(INSTALLED)
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` reads each unit as systemd would (unknown keys and bad values are
    reported); the installed paths are swapped for this checkout's, which is all it cannot find here."""
    analyze = system_binary("systemd-analyze", "systemd")
    for name in ("rallypoint-web.service", "rallypoint-scheduler.service"):
        text = (DEPLOY / name).read_text().replace(INSTALLED, f"{VENV_BIN}/")
        text = text.replace("WorkingDirectory=/opt/rallypoint", f"WorkingDirectory={ROOT}")
        (tmp_path / name).write_text(text)
    verified = subprocess.run([analyze, "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
                              capture_output=True, text=True, timeout=60, check=False)
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stderr


def test_web_unit_starts_gunicorn_with_the_deploy_config_and_an_app_that_loads():
    exec_start = unit("rallypoint-web.service")["Service"]["ExecStart"]
    command = local_command(exec_start)
    assert Path(command[0]).name == "gunicorn"
    assert (ROOT / command[command.index("-c") + 1]).is_file()
    checked = run_here([*command, "--check-config"])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_web_unit_stops_gracefully_within_its_stop_timeout():
    service = unit("rallypoint-web.service")["Service"]
    printed = run_here([*local_command(service["ExecStart"]), "--print-config"])
    assert printed.returncode == 0, printed.stderr
    settings = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", printed.stdout, re.M))
    assert settings["worker_class"] == "sync" and settings["workers"] == "4"
    assert int(settings["graceful_timeout"]) < int(service["TimeoutStopSec"])
    assert service["KillSignal"] == "SIGTERM" and service["Type"] == "notify"


def test_scheduler_unit_runs_the_scheduler_command():
    exec_start = unit("rallypoint-scheduler.service")["Service"]["ExecStart"]
    command = local_command(exec_start)
    assert command[1:] == ["--app", "wsgi", "scheduler", "run"]
    helped = run_here([*command, "--help"])
    assert helped.returncode == 0, helped.stdout + helped.stderr
    assert "Run the scheduler" in helped.stdout


def test_env_example_names_every_setting_the_config_reads():
    source = (ROOT / "config.py").read_text()
    read = set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'os\.environ\["([A-Z_]+)"\]', source))
    read |= set(re.findall(r'"([A-Z_]+)"', re.search(r"missing = \[.*?\]", source, re.S).group(0)))
    gunicorn = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "RALLYPOINT_ENV", "PROXY_COUNT"} <= read
    assert read - {"TEST_DATABASE_URL"} | gunicorn <= set(env_example())


def test_env_example_sets_the_required_ones_and_loads_as_production():
    values = set_in_example()
    assert values["RALLYPOINT_ENV"] == "production" and values["PROXY_COUNT"] == "1"
    assert values["SCHEDULER_ENABLED"] == "0"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RALLYPOINT_", "FLASK_"))} | values
    code = ("from config import config_from_env; c = config_from_env(); "
            "print(type(c).__name__, c.PROXY_COUNT, c.SESSION_COOKIE_SECURE, c.SQLALCHEMY_DATABASE_URI)")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["ProductionConfig", "1", "True", values["DATABASE_URL"]]


def test_proxy_sends_the_headers_the_app_trusts_and_the_body_cap_fits():
    conf = (DEPLOY / "nginx-rallypoint.conf").read_text()
    # PROXY_COUNT=1: ProxyFix trusts one proxy's X-Forwarded-For, -Proto and -Host.
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert re.search(rf"proxy_set_header {header} \$", conf), header
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    bind = re.search(r'"GUNICORN_BIND", "([^"]+)"', gunicorn).group(1)
    assert f"proxy_pass http://{bind};" in conf
    assert "return 301 https://" in conf and "listen 443 ssl" in conf
    body_mib = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert body_mib * 1024 * 1024 >= 12 * 1024 * 1024  # config.py's MAX_CONTENT_LENGTH default
