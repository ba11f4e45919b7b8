"""How big an exported page is and how fast it scrubs in Chromium (issue 17, acceptance 2). Prints JSON.

Two runs made with the command line into a temporary folder, each exported with `workbench export`:
  * teaching: the teaching space, 9 epochs of the defaults (513 steps);
  * macro: the 12-layer ENAS macro space on 8x8 digits, 4 channels, batch 32 (12 epochs, 528 steps),
    exported whole and thinned (--max-steps 200).
Each page is opened from file:// in headless Chromium (1280 x 720, every request that is not file://
aborted) and scrubbed: the redraw time is from asking for a step (the History slider's handler, WB.go)
until every view on screen that changed is redrawn (each Plotly.react resolved; a view in a hidden tab
is drawn when its tab is shown, as in the app). Steps one after another (Play, Step ▶) and random jumps
(dragging the slider) are timed apart.

    python benchmarks/export_size.py [--jumps 60] [--sequential 80] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

RUNS = {
    "teaching": ["--space", "teaching", "--epochs", "9", "--seed", "0"],
    "macro": ["--space", "enas-macro", "--num-layers", "12", "--channels", "4", "--batch-size", "32",
              "--controller-steps", "10", "--controller-aggregate", "5", "--controller-lr", "3e-3",
              "--shared-lr", "0.1", "--epochs", "12", "--seed", "0"],
}  # fmt: skip
PAGES = {"teaching": ("teaching", None), "macro": ("macro", None), "macro-thinned-200": ("macro", 200)}

SCRUB_JS = """async ([sequential, jumps]) => {
  const n = WB.count, seq = [], jump = []; let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  await WB.go(0);
  for (let i = 1; i <= Math.min(sequential, n - 1); i++) {
    const t = performance.now(); await WB.go(i); seq.push(performance.now() - t); }
  for (let k = 0; k < jumps; k++) {
    let i = Math.floor(rnd() * n); if (i === WB.index) i = (i + 1) % n;
    const t = performance.now(); await WB.go(i); jump.push(performance.now() - t); }
  return {seq, jump}; }"""


def _python(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workbench", *args], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    return time.perf_counter() - t0


def _stats(ms: list[float]) -> dict:
    s = sorted(ms)
    return {
        "n": len(s),
        "median_ms": round(s[len(s) // 2], 1),
        "p95_ms": round(s[min(len(s) - 1, int(0.95 * len(s)))], 1),
        "max_ms": round(s[-1], 1),
    }


def _measure(page_file: Path, sequential: int, jumps: int) -> dict:
    from playwright.sync_api import sync_playwright
    from servers import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        fetched: list[str] = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else fetched.append(r.url))
        t0 = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_function("() => document.documentElement.classList.contains('wb-ready')", timeout=120_000)
        ready = time.perf_counter() - t0
        times = page.evaluate(SCRUB_JS, [sequential, jumps])
        failed = page.locator(".wb-page .wb-message").inner_text().strip()
        browser.close()
    return {
        "open_to_drawn_s": round(ready, 2),
        "step_by_step": _stats(times["seq"]),
        "jump": _stats(times["jump"]),
        "network_requests": len(fetched),
        "error": failed or None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sequential", type=int, default=80, help="steps timed one after another")
    ap.add_argument("--jumps", type=int, default=60, help="random jumps timed")
    ap.add_argument("--keep", type=Path, help="write the runs and pages here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        search_s = {name: round(_python("search", *a, "--quiet", "--force", "--out", str(root / name)), 1)
                    for name, a in RUNS.items()}  # fmt: skip
        pages = {}
        for name, (run, max_steps) in PAGES.items():
            out = root / f"{name}.html"
            thin = ["--max-steps", str(max_steps)] if max_steps else []
            export_s = _python("export", str(root / run), "--out", str(out), "--quiet", *thin)
            steps = len((root / run / "log.jsonl").read_text().splitlines())
            size = out.stat().st_size
            pages[name] = {
                "run_steps": steps,
                "kept_steps": min(steps + 1, max_steps or steps + 1),
                "bytes": size,
                "MB": round(size / 1e6, 2),
                "MiB": round(size / 2**20, 2),
                "packed": b'data-encoding="gzip+base64"' in out.read_bytes(),
                "export_s": round(export_s, 1),
                "chromium": _measure(out, args.sequential, args.jumps),
            }
    teaching = pages["teaching"]
    result = {
        "benchmark": "export_size",
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "search_s": search_s,
        "pages": pages,
        "targets": {
            "teaching_500_steps_le_5MB": teaching["bytes"] <= 5_000_000,
            "teaching_step_median_le_100ms": teaching["chromium"]["step_by_step"]["median_ms"] <= 100,
            "teaching_jump_median_le_100ms": teaching["chromium"]["jump"]["median_ms"] <= 100,
            "no_network_requests": all(p["chromium"]["network_requests"] == 0 for p in pages.values()),
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
