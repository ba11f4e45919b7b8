"""`workbench classroom`: serve the app to a class with Voila, sized for one small server.

    workbench classroom                          # 127.0.0.1:8866, a fresh token, a pool of 4 kernels
    workbench classroom --host 0.0.0.0 --pool 32 --lang zh    # a classroom LAN, 30 students

Owns: the Voila command line that serves notebooks/workbench.ipynb (`voila_command`, which the
tests and benchmarks/classroom_load.py start too, so what is measured is what a class gets): a
token always (refused empty on an address other than loopback), a pool of preheated kernels that
already ran the notebook (a student's page is the pooled kernel's output: no start-up wait, and no
output dropped by Voila's short IOPub timeout), refills spaced out so they do not compete with
the class, one torch thread per kernel, the app's language and preset, and the page template whose
watchdog tells a student when the app did not start or the connection was lost, with a reload
(workbench/share/voila/templates/workbench), and which loads plotly.js as a static file
(`page_assets`: in a class of 30 this took the pages' browsers from 188 to 150 CPU-seconds and the
last page from 119-132 s to 106 s; before, each kernel sent its 4.6 MB through the websocket and each
page parsed it out of a message), and only that copy: plotly's JupyterLab extension, whose bundle
is a second 4.7 MB plotly.js, is turned off (measured the same day, the last page of 30: 126 and
166 s with it, 118, 110 and 87 s without). Must not: change the app.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..data import cache_dir
from .errors import EXIT_OK, UsageError
from .flags import natural_int, positive_float, positive_int

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "workbench.ipynb"
SHARE = Path(__file__).resolve().parents[1] / "share"  # holds voila/templates/workbench: the page with a watchdog


@dataclass(frozen=True)
class Classroom:
    """How the app is served: where, to whom (the token), and how many kernels wait preheated."""

    notebook: Path = NOTEBOOK
    host: str = "127.0.0.1"
    port: int = 8866
    token: str = ""  # empty: a fresh random one
    pool: int = 4  # preheated kernels; a class of N wants N (+ a few for reloads)
    fill_delay: float = 120.0  # seconds before a used pool kernel is replaced
    iopub_timeout: int = 300  # seconds Voila waits for a busy kernel's output before dropping it
    lang: str = "en"
    preset: str = "classroom"
    start_timeout: int = 120  # seconds after which a page without the app says so (and reloads once)

    def __post_init__(self) -> None:
        if not self.token and not _loopback(self.host):
            raise UsageError(f"--host {self.host} serves other machines: give it a --token (never an empty one)")
        if self.lang not in ("en", "zh"):
            raise UsageError(f"--lang {self.lang!r} is not valid; choose one of en, zh")
        if not Path(self.notebook).is_file():
            raise UsageError(f"no app notebook at {self.notebook}")


def page_assets(root: Path | None = None) -> Path | None:
    """A Jupyter data folder (default: in the workbench's cache) whose voila/templates/workbench/static/
    holds a copy of the plotly package's plotly.min.js: on JUPYTER_PATH beside SHARE, Voila serves it
    with the page template (cacheable, as the template's other files). Copied afresh when the package's
    file differs in size or time (another plotly); atomically, so a server starting meanwhile reads the
    old copy or the new one. (A link would not do: tornado serves no link that leaves its folder.)
    None when the folder cannot be written (a read-only cache): the pages then ask their kernels."""
    from ..app.plotview import PLOTLY_JS  # the app's own copy (imported here: the CLI starts without the app)

    root = cache_dir() / "voila-page" if root is None else root
    target = root / "voila" / "templates" / "workbench" / "static" / PLOTLY_JS.name
    source = PLOTLY_JS.stat()
    if target.is_file() and (target.stat().st_size, target.stat().st_mtime_ns) == (source.st_size, source.st_mtime_ns):
        return root
    fresh = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PLOTLY_JS, fresh)  # with the source's time, which the check above compares
        os.replace(fresh, target)
    except OSError:
        with contextlib.suppress(OSError):  # a half-written copy, if any
            fresh.unlink()
        return None
    return root


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def voila_command(room: Classroom, token: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that serve `room` with `token`."""
    assets = page_assets()
    argv = [
        sys.executable, "-m", "voila", str(room.notebook), "--no-browser",
        f"--Voila.ip={room.host}", f"--port={room.port}", f"--token={token}",
        f"--VoilaExecutor.iopub_timeout={room.iopub_timeout}", "--VoilaExecutor.timeout=600",
        "--MappingKernelManager.cull_idle_timeout=7200", "--MappingKernelManager.cull_interval=600",
        "--template=workbench",
        # Kernels talk to the server over Unix sockets: with TCP, a pool started at once can hand two
        # kernels the same free port (jupyter_client#487; measured: 1 of 32 died, the pool short by one).
        "--KernelManager.transport=ipc",
        # The views draw with the template's plotly.js; plotly's own JupyterLab extension would make
        # every page fetch and run a second 4.7 MB copy (measured: both loaded on every page)
        "--VoilaConfiguration.extension_denylist=['jupyterlab-plotly']",
        "--VoilaConfiguration.resources="
        f"{{'wb_start_timeout': {room.start_timeout}, 'wb_lang': '{room.lang}', 'wb_plotly': {assets is not None}}}",
    ]  # fmt: skip
    if room.pool:
        argv += [
            "--preheat_kernel=True",
            f"--pool_size={room.pool}",
            f"--VoilaKernelManager.fill_delay={room.fill_delay}",
        ]
    env = dict(os.environ)
    # the page template, and beside it plotly.js for the page to load as a file
    env["JUPYTER_PATH"] = os.pathsep.join(map(str, filter(None, [SHARE, assets, env.get("JUPYTER_PATH")])))
    env.update(
        OMP_NUM_THREADS="1",  # 30 kernels on 2 cores: one intra-op thread each, no oversubscription
        WORKBENCH_LANG=room.lang,
        WORKBENCH_PRESET=room.preset,
    )
    return argv, env


def add_parser(sub):
    """Register `classroom` on the command line's subparsers."""
    d = Classroom()
    p = sub.add_parser(
        "classroom",
        help="serve the app to a class with Voila (token, preheated kernel pool)",
        description="Serve notebooks/workbench.ipynb with Voila for a class. Each student gets a kernel from a "
        "pool that already ran the notebook. Through Voila a student can use the app's controls and nothing "
        "else: no code execution, no files.",
    )
    p.add_argument("--host", default=d.host, help=f"address to listen on (default {d.host}; 0.0.0.0 for a LAN)")
    p.add_argument("--port", type=positive_int, default=d.port, help=f"default {d.port}")
    p.add_argument("--token", default="", help="the token students add to the URL (default: a fresh random one)")
    p.add_argument("--pool", type=natural_int, default=d.pool, help=f"preheated kernels (default {d.pool})")
    p.add_argument(
        "--fill-delay", type=positive_float, default=d.fill_delay,
        help=f"seconds before a used pool kernel is replaced (default {d.fill_delay:g})",
    )  # fmt: skip
    p.add_argument(
        "--start-timeout", type=positive_int, default=d.start_timeout,
        help=f"seconds after which a page without the app says so and reloads once (default {d.start_timeout})",
    )  # fmt: skip
    p.add_argument("--lang", default=d.lang, help="the app's language: en or zh")
    p.add_argument("--preset", default=d.preset, help="classroom, debug or presentation")
    p.add_argument("--notebook", type=Path, default=d.notebook, help="the app notebook (default: the shipped one)")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Serve until interrupted; print the URL to give the students."""
    room = Classroom(
        host=args.host, port=args.port, token=args.token, pool=args.pool, fill_delay=args.fill_delay,
        lang=args.lang, preset=args.preset, notebook=args.notebook, start_timeout=args.start_timeout,
    )  # fmt: skip
    token = room.token or secrets.token_hex(8)
    argv, env = voila_command(room, token)
    shown = "127.0.0.1" if room.host in ("0.0.0.0", "::") else room.host
    print(f"ENAS Workbench classroom: open http://{shown}:{room.port}/?token={token}", flush=True)
    if room.pool:
        print(f"warming {room.pool} kernels: the first pages are ready in about {3 * room.pool // 2 + 10} s")
    try:
        return subprocess.call(argv, env=env) or EXIT_OK
    except KeyboardInterrupt:
        return EXIT_OK
