"""Real servers and a real browser for the browser tests: JupyterLab, Voila, Debian's Chromium.

Everything lives in a temporary folder (config, data, runtime, caches), servers run in their own
process group on 127.0.0.1 with a token and are stopped with killpg, which also ends their kernels.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TOKEN = "wb-test-token"
# Counts every "not answering" banner a page ever shows (the banner goes away by itself when answers resume).
BANNERS = """(() => {
  window.__wbBanners = [];  // seconds after the page started loading
  new MutationObserver((changes) => {
    for (const c of changes) for (const n of c.addedNodes)
      if (n.classList && n.classList.contains('wb-heartbeat')) window.__wbBanners.push(performance.now() / 1000);
  }).observe(document, { childList: true, subtree: true });
})()"""


def browser_required() -> bool:
    """In CI (or with WORKBENCH_REQUIRE_BROWSER=1) a missing browser fails instead of skipping."""
    return bool(os.environ.get("WORKBENCH_REQUIRE_BROWSER") or os.environ.get("CI"))


def chromium_path() -> str | None:
    """$WORKBENCH_CHROMIUM, else Debian's chromium on PATH; None means Playwright's own build."""
    for candidate in (os.environ.get("WORKBENCH_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def isolated_env(root: Path) -> dict[str, str]:
    """Environment that keeps Jupyter, IPython and Chromium out of the home folder."""
    env = dict(os.environ)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
        ("IPYTHONDIR", "ipython"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("npm_config_cache", "npm"),
    ]:
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(root / sub)
    # the data cache stays shared, so a kernel does not regenerate MNIST-1D
    env.setdefault("ENAS_WORKBENCH_CACHE", str(Path.home() / ".cache" / "enas-workbench"))
    notification = root / "lab-settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0, any_answer: bool = False) -> None:
    """Poll `url` until it answers 200 (or, with `any_answer`, any HTTP status at all)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError:
            if any_answer:
                return
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server not ready at {url} after {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def _server(cmd: list[str], probe: str, root: Path, env: dict, name: str, any_answer: bool = False):
    log = root / f"{name}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(probe, proc, log, any_answer=any_answer)
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def jupyterlab(root: Path, notebook_dir: Path):
    """A JupyterLab server on 127.0.0.1 serving `notebook_dir`; yields its base URL."""
    env, port = isolated_env(root), free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={notebook_dir}",
        "--LabApp.expose_app_in_browser=True",
    ]
    base = f"http://127.0.0.1:{port}"
    with _server(cmd, f"{base}/api/status?token={TOKEN}", root, env, "jupyterlab"):
        yield base


@contextmanager
def voila(root: Path, notebook: Path):
    """A Voila server on 127.0.0.1 rendering `notebook`; yields its base URL."""
    env, port = isolated_env(root), free_port()
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        f"--token={TOKEN}",
        "--Voila.tornado_settings={'allow_origin': '*'}",
    ]
    base = f"http://127.0.0.1:{port}"
    # every GET / starts a kernel: probe a path that only the server itself answers (with a 404)
    with _server(cmd, f"{base}/wb-readiness-probe?token={TOKEN}", root, env, "voila", any_answer=True):
        yield base


@contextmanager
def browser(root: Path, base: str):
    """A Playwright page in headless Chromium that may only talk to `base`; skips or fails without one."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if browser_required():
            pytest.fail("playwright is not installed but the browser tests are required")
        pytest.skip("playwright is not installed")
    env = isolated_env(root)
    os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")})
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - Playwright raises its own Error type for a missing browser
            if browser_required():
                pytest.fail(f"no Chromium found (install Debian's chromium or run `playwright install chromium`): {e}")
            pytest.skip(f"no Chromium found: {e}")
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        try:
            yield page
        finally:
            chromium.close()
