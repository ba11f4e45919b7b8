"""`workbench groundtruth --backend ray` on a real Ray head started on 127.0.0.1 gives exactly the
results of `--backend local` (the same tasks, the same stand-alone training, one thread each)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from workbench import cli
from workbench.groundtruth import load_results

ray = pytest.importorskip("ray", reason="ray is not installed (pip install -c constraints.txt ray, or the test extra)")

ROOT = Path(__file__).resolve().parents[1]
SWEEP = [
    "groundtruth",
    "--space",
    "teaching(num_nodes=2)",
    "--archs",
    "5",
    "--seeds",
    "0",
    "1",
    "--repeat",
    "2",
    "--epochs",
    "4",
    "--quiet",
]


# a loopback cluster that lives for one test: no token auth, whatever ~/.ray/auth_token an earlier Ray run left
# (with one there, the head and this process disagreed about the token and the client was refused)
RAY_ENV = {"RAY_AUTH_MODE": "disabled"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head():
    """A one-node Ray cluster on 127.0.0.1 with 2 CPUs; stopped by signalling only its own processes."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="wbray", dir="/tmp")  # Ray's socket paths must stay short
    ray_bin = Path(sys.executable).with_name("ray")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "RAY_USAGE_STATS_ENABLED": "0", **RAY_ENV}
    proc = subprocess.Popen(
        [
            str(ray_bin),
            "start",
            "--head",
            "--block",
            "--node-ip-address",
            "127.0.0.1",
            "--port",
            str(port),
            "--num-cpus",
            "2",
            "--include-dashboard",
            "false",
            "--temp-dir",
            temp,
            "--disable-usage-stats",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, "ray start --head exited early"
            time.sleep(0.2)
        else:
            pytest.fail("the Ray head did not come up within 120 s")
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the head and the processes it started, all in its own session
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.slow
def test_ray_backend_gives_the_local_results(tmp_path, ray_head, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for name, value in RAY_ENV.items():
        monkeypatch.setenv(name, value)
    assert cli.main([*SWEEP, "--out", str(tmp_path / "ray.jsonl"), "--backend", "ray", "--address", ray_head]) == 0
    assert cli.main([*SWEEP, "--out", str(tmp_path / "local.jsonl"), "--workers", "1"]) == 0
    cols = ["arch", "seed", "val_accuracy", "test_accuracy", "params"]
    by_ray, local = load_results(tmp_path / "ray.jsonl")[cols], load_results(tmp_path / "local.jsonl")[cols]
    assert len(local) == 7 and local["seed"].tolist().count(1) == 2
    assert by_ray.equals(local)
    # resuming through Ray finds nothing left to do
    assert cli.main([*SWEEP, "--out", str(tmp_path / "ray.jsonl"), "--backend", "ray", "--address", ray_head]) == 0
    assert len((tmp_path / "ray.jsonl").read_text().splitlines()) == 1 + 7
