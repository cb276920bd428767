"""`make run` serves on the port PORT names (8000 unless told), and refuses one that is not a port."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_run(*args, **environment):
    """What `make run` would do (make -n prints the commands without running any)."""
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "MAKEFLAGS"}}
    return subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env={**env, **environment}, capture_output=True, text=True, timeout=60
    )


def served_on(result):
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if "runserver" in line]
    return line.split("runserver ")[1]


def test_make_run_serves_on_8000_unless_told():
    assert served_on(make_run()) == "127.0.0.1:8000"


def test_make_run_takes_the_port_from_the_environment_or_the_command_line():
    assert served_on(make_run(PORT="8123")) == "127.0.0.1:8123"
    assert served_on(make_run("PORT=9001")) == "127.0.0.1:9001"


@pytest.mark.parametrize("port", ["abc", "0", "", "80; rm -rf /", "8000 8001", "123456"])
def test_make_run_refuses_a_port_that_is_not_a_number(port):
    result = make_run(PORT=port)
    assert result.returncode != 0
    assert "PORT must be a port number such as 8000" in result.stderr
    assert "runserver" not in result.stdout
