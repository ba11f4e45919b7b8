"""Heartbeat: the page asks the kernel "are you there?" every few seconds and says so when it is not.

The ping and its answer are synced traits, the path every view's own updates take, not custom
messages: in one 10-page Voila run, 7 healthy pages showed the banner because the answers reached
the page's websocket but never the view's custom-message listener (not seen again since; the load
benchmark counts the banners every healthy page shows, and expects none).

A page whose kernel died, was restarted (a new kernel holds none of the app's widgets) or whose
connection is gone would otherwise look alive and silently never move again. The page pings the
kernel every `interval_s` seconds; the kernel answers at once when it is free. When no answer came
for `timeout_s` seconds a banner says the app is not answering, with a Reload button; it goes away
by itself when answers come back (a long step had only kept the kernel busy). Only silence the page
was awake to see counts: while the page's own thread is frozen (a busy or starved browser) its beats
run late, and the kernel's answers wait behind them; that time is not held against the kernel. Nor
is a slow start: until its first answer the page waits as long as its start watchdog (the classroom
template's `--start-timeout`). Measured before these two rules, 30 pages opened at once on 2 cores:
4 and 20 healthy pages in two runs showed the banner for a while as they drew the app.
A page's URL may shorten the timeout (`?wb_heartbeat=5`, seconds: the browser tests do).

Owns: the ping/pong protocol, the banner's words (en/zh, from app/text.py) and its markup.
Must not: decide anything about training or the views.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
export default {
  render({ model, el }) {
    el.style.display = "none";
    const url = /[?&]wb_heartbeat=(\d+(?:\.\d+)?)/.exec(location.search);
    const timeout = 1000 * (url ? parseFloat(url[1]) : model.get("timeout_s"));
    // Until the first answer the page is still starting, and the page's start watchdog (the classroom
    // template's, 120 s) has the say: a slow start is not a dead kernel.
    const first = Math.max(timeout, (globalThis.__wbWatchdog || {}).startMs || 0);
    let sent = 0, answered = performance.now(), banner = null, heard = false;
    model.on("change:pong", () => {  // the kernel copied our ping into pong: it is there
      answered = performance.now();
      heard = true;
      if (banner) { banner.remove(); banner = null; }
    });
    const show = () => {
      if (banner) return;
      const words = model.get("words");
      banner = document.createElement("div");
      banner.className = "wb-heartbeat";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;left:0;right:0;top:0;z-index:10000;padding:14px 20px;" +
        "font:18px sans-serif;background:#b71c1c;color:#fff;display:flex;gap:16px;align-items:center";
      const text = document.createElement("span");
      text.textContent = words.silent || "";
      const button = document.createElement("button");
      button.className = "wb-heartbeat-reload";
      button.textContent = words.reload || "Reload";
      button.style.cssText = "font:18px sans-serif;padding:4px 16px";
      button.onclick = () => location.reload();
      banner.append(text, button);
      document.body.appendChild(banner);
    };
    const period = Math.min(model.get("interval_s") * 1000, timeout / 2);
    let tick = performance.now();
    const beat = setInterval(() => {
      const now = performance.now();
      // A beat that ran late means the page itself was frozen (a busy or starved browser): the kernel's
      // answers waited in the same queue, so that time is not the kernel's silence.
      answered += Math.max(0, now - tick - period);
      tick = now;
      if (now - answered > (heard ? timeout : first)) show();
      try { model.set("ping", ++sent); model.save_changes(); } catch (e) { show(); }
    }, period);
    return () => { clearInterval(beat); if (banner) banner.remove(); };
  },
};
"""


class Heartbeat(anywidget.AnyWidget):
    """The page's ping; `words`: {"silent": the banner's sentence, "reload": the button's label}."""

    _esm = _ESM
    interval_s = traitlets.Float(3.0).tag(sync=True)
    timeout_s = traitlets.Float(30.0).tag(sync=True)  # longer than the app's longest action (an alternation)
    words = traitlets.Dict().tag(sync=True)
    ping = traitlets.Int(0).tag(sync=True)  # set by the page every interval_s
    pong = traitlets.Int(0).tag(sync=True)  # the kernel's answer: the ping copied back

    def __init__(self, words: dict[str, str], **kwargs):
        super().__init__(words=dict(words), **kwargs)
        self.pings = 0
        self.observe(self._answer, "ping")

    def _answer(self, change) -> None:
        self.pings += 1
        self.pong = change["new"]
