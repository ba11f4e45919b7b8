"""`workbench classroom`: a class on one server, and what a student can and cannot do through it.

The load test is benchmarks/classroom_load.py itself at three students (the same server command a
teacher runs, the same measurements); the security tests talk HTTP and the kernel's websocket.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import BANNERS, browser, browser_required, chromium_path, free_port, isolated_env

from workbench.cli.classroom import Classroom, voila_command
from workbench.cli.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "wb-classroom-token"


def test_a_lan_address_needs_a_token_and_the_language_is_checked():
    with pytest.raises(UsageError, match="--host 0.0.0.0 serves other machines: give it a --token"):
        Classroom(host="0.0.0.0")
    assert Classroom(host="0.0.0.0", token="t").host == "0.0.0.0"
    assert Classroom(host="::1").token == ""  # loopback: a fresh token is made when serving
    with pytest.raises(UsageError, match="--lang 'fr' is not valid; choose one of en, zh"):
        Classroom(lang="fr")


def test_the_page_assets_hold_plotly_js_and_follow_the_package(tmp_path):
    from workbench.app.plotview import PLOTLY_JS
    from workbench.cli.classroom import page_assets

    root = page_assets(tmp_path)
    copy = root / "voila" / "templates" / "workbench" / "static" / "plotly.min.js"
    assert copy.read_bytes() == PLOTLY_JS.read_bytes()
    made = copy.stat().st_mtime_ns
    assert page_assets(tmp_path) == root and copy.stat().st_mtime_ns == made  # up to date: not copied again
    copy.write_text("an older plotly")
    page_assets(tmp_path)
    assert copy.read_bytes() == PLOTLY_JS.read_bytes() and not list(copy.parent.glob(".*"))  # no temp file left
    _, env = voila_command(Classroom(), "secret")
    assert str(page_assets()) in env["JUPYTER_PATH"].split(os.pathsep)
    (tmp_path / "a-file").write_text("")
    assert page_assets(tmp_path / "a-file" / "cache") is None  # unwritable: the pages ask their kernels instead


def test_the_voila_command_preheats_and_never_drops_output():
    argv, env = voila_command(Classroom(pool=7, lang="zh"), "secret")
    assert "--token=secret" in argv and "--pool_size=7" in argv and "--preheat_kernel=True" in argv
    assert any(a.startswith("--VoilaExecutor.iopub_timeout=") and int(a.split("=")[1]) >= 60 for a in argv)
    assert env["OMP_NUM_THREADS"] == "1" and env["WORKBENCH_LANG"] == "zh"
    assert "--KernelManager.transport=ipc" in argv  # no TCP ports for a pool to collide on
    assert "--VoilaConfiguration.extension_denylist=['jupyterlab-plotly']" in argv  # plotly.js once, not twice
    argv, _ = voila_command(Classroom(pool=0), "secret")
    assert not any("preheat" in a for a in argv)


@contextmanager
def classroom(root: Path, room: Classroom):
    """`workbench classroom` as a teacher runs it (`voila_command`), on loopback; yields its base URL."""
    argv, env = voila_command(room, TOKEN)
    env.update({k: v for k, v in isolated_env(root).items() if k.startswith(("JUPYTER", "IPYTHON", "XDG"))})
    log = root / "voila.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{room.port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # ready when it answers at all (a 404 for a path it does not serve)
        try:
            urllib.request.urlopen(f"{base}/wb-probe?token={TOKEN}", timeout=2)
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.3)
    try:
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app without a pool (each page starts its own kernel)."""
    root = tmp_path_factory.mktemp("classroom")
    with classroom(root, Classroom(port=free_port(), token=TOKEN, pool=0)) as base:
        yield base, root


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _status(url: str) -> int:
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.slow
def test_requests_without_the_token_or_with_a_wrong_one_are_refused(served):
    base, _ = served
    assert _status(f"{base}/") in (302, 403)
    assert _status(f"{base}/?token=wrong-{TOKEN}") in (302, 403)
    assert _status(f"{base}/api/kernels") in (302, 403, 404)


def _message(msg_type: str, content: dict, session: str) -> str:
    header = {"msg_id": uuid.uuid4().hex, "username": "student", "session": session, "msg_type": msg_type,
              "version": "5.3", "date": ""}  # fmt: skip
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": "shell", "buffers": []})  # fmt: skip


@pytest.mark.slow
def test_the_kernel_does_not_run_code_a_client_sends(served, tmp_path):
    """Voila forwards only widget (comm) and kernel-info messages: an execute_request is dropped."""
    from tornado.websocket import websocket_connect

    base, _ = served
    with urllib.request.urlopen(f"{base}/?token={TOKEN}", timeout=120) as r:
        page = r.read().decode()
    kernel = re.search(r'kernelId["\\]*:\s*["\\]*"?([0-9a-f-]{36})', page)
    assert kernel, "the page names no kernel"
    marker = tmp_path / "pwned"
    code = f"open({str(marker)!r}, 'w').write('student code ran')"

    async def talk() -> list[str]:
        url = f"{base.replace('http', 'ws')}/api/kernels/{kernel.group(1)}/channels?token={TOKEN}"
        ws = await websocket_connect(url)
        session = uuid.uuid4().hex
        await ws.write_message(_message("execute_request", {"code": code, "silent": False}, session))
        await ws.write_message(_message("kernel_info_request", {}, session))
        seen, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline and "kernel_info_reply" not in seen:
            msg = await asyncio.wait_for(ws.read_message(), timeout=60)
            if msg is None:
                break
            seen.append(json.loads(msg)["header"]["msg_type"] if isinstance(msg, str) else "binary")
        await asyncio.sleep(3)  # time enough for an execute to have written the file
        ws.close()
        return seen

    seen = asyncio.run(talk())
    assert "kernel_info_reply" in seen, seen  # the channel works: an allowed request is answered
    assert "execute_reply" not in seen and not marker.exists(), "the kernel ran code sent by a client"


@pytest.mark.slow
@pytest.mark.browser
def test_a_class_of_three_all_live_and_answered():
    if chromium_path() is None and not browser_required():
        pytest.skip("no Chromium found (install Debian's chromium)")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from classroom_load import measure

    result = measure(3, pool=4, page_timeout=240, burst=3)
    assert result["live"] == 3 and result["failed"] == 0, result["errors"]
    assert result["burst_clicks"] == 3 and result["iopub_timeouts_logged"] == 0
    assert result["pages_that_showed_not_answering"] == 0  # every kernel was alive all along
    assert result["all_live_within_s"] is not None and result["peak_pss_gb"] > 0
    assert result["plotly_js_from"] == {"file": 3, "kernel": 0, "none": 0}  # a cached file, not 4.6 MB from a kernel
    assert result["plotly_js_copies_per_page"] == 1  # not also jupyterlab-plotly's 4.7 MB bundle


def _kill_kernel(kernel_id: str) -> None:
    """SIGKILL the kernel process whose connection file names `kernel_id` (the server restarts it empty)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and kernel_id in (proc / "cmdline").read_bytes().decode(errors="replace"):
                os.kill(int(proc.name), signal.SIGKILL)
                return
        except OSError:
            continue
    raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_whose_kernel_died_says_so_and_reloads_into_a_live_app(served):
    base, root = served
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}&wb_heartbeat=6")
        page.wait_for_selector(".wb-app .wb-step-shared", timeout=120_000)
        assert page.evaluate("() => window.__wbWatchdog.startMs") == 120_000  # the classroom page template
        page.wait_for_timeout(8000)
        assert page.locator(".wb-heartbeat").count() == 0, "the banner showed while the kernel was answering"
        # The page's own thread frozen for longer than the timeout (a starved browser): not the kernel's silence
        page.evaluate(BANNERS)
        page.evaluate("() => { const t = performance.now(); while (performance.now() - t < 10000); }")
        page.wait_for_timeout(4000)
        assert page.evaluate("() => window.__wbBanners") == [], "a frozen page blamed its live kernel"
        kernel = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name).join(' ')")
        kernel = re.search(r"/api/kernels/([0-9a-f-]{36})", kernel) or re.search(
            r'kernelId["\\]*:\s*["\\]*"?([0-9a-f-]{36})', page.content()
        )
        assert kernel, "the page names no kernel"
        _kill_kernel(kernel.group(1))
        page.wait_for_selector(".wb-heartbeat", timeout=30_000)
        assert "not answering" in page.locator(".wb-heartbeat").inner_text()
        page.locator(".wb-heartbeat-reload").click()
        page.wait_for_selector(".wb-app .wb-step-shared", timeout=120_000)  # a new kernel, a live app
        page.locator(".wb-step-shared").click()
        page.wait_for_function("() => /\\b1\\b/.test(document.querySelector('.wb-step-counter').textContent)")
        assert page.locator(".wb-heartbeat").count() == 0


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_whose_app_never_starts_reloads_once_then_says_so(tmp_path):
    notebook = tmp_path / "blank.ipynb"  # the app's output never arrives (as when Voila dropped it)
    notebook.write_text(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "no app here"}],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))  # fmt: skip
    room = Classroom(notebook=notebook, port=free_port(), token=TOKEN, pool=0, start_timeout=3)
    with classroom(tmp_path, room) as base, browser(tmp_path, base) as page:
        page.goto(f"{base}/?token={TOKEN}&lang=zh")
        page.wait_for_selector("#wb-watchdog", timeout=30_000)
        assert "应用没有启动" in page.locator("#wb-watchdog").inner_text()
        page.wait_for_function("() => sessionStorage.getItem('wb-reloads') === '1'")
        page.wait_for_load_state("load")
        page.wait_for_timeout(6000)  # the reloaded page waited its 3 s again, and does not reload a second time
        text = page.locator("#wb-watchdog").inner_text()
        assert "应用没有启动" in text and "正在重新加载" not in text, text
