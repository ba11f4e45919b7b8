// The exported page's player: steps through a run's embedded states and redraws them with Plotly.react.
// Owns: decoding the data (patch.py's format; gzip+base64 when large), the keyframe cache, the scrubber,
// play/pause/step buttons, tabs and fitting each figure to its cell. Must not: fetch anything.
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const meta = JSON.parse($("#wb-meta").textContent);
  const CONFIG = { displaylogo: false, responsive: false };
  const READOUT_CLASS = meta.readouts;  // readout name -> CSS class of its element
  const message = $(".wb-page .wb-message");

  // ---- patch.py's diffs, applied without changing their input (unchanged parts stay shared) ----------
  function apply(target, patch) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const keys = Object.keys(patch);
    if (keys.length === 1) {
      const op = keys[0], arg = patch[op];
      if (op === "$v") return arg;
      if (op === "$t") return target.concat(arg);
      if (op === "$l") return target.slice(0, arg);
      if (op === "$n") {  // numbers in a string: [index of the run of digits, its new digits, ...]
        const parts = target.split(/([0-9]+)/);
        for (let i = 0; i < arg.length; i += 2) parts[2 * arg[i] + 1] = arg[i + 1];
        return parts.join("");
      }
      if (op === "$s") return target.slice(0, arg[0]) + arg[2] + target.slice(target.length - arg[1]);
      if (op === "$i") {
        const out = target.slice();
        for (const k of Object.keys(arg)) out[+k] = apply(out[+k], arg[k]);
        return out;
      }
    }
    const isDict = target !== null && typeof target === "object" && !Array.isArray(target);
    const out = isDict ? Object.assign({}, target) : {};
    for (const k of keys) {
      if (patch[k] === null) delete out[k];
      else out[k] = apply(out[k], patch[k]);
    }
    return out;
  }

  function resolve(x, refs) {  // {"$r": k} -> refs[k], {"$c": pieces} -> one list, everywhere (once, on load)
    if (Array.isArray(x)) { for (let i = 0; i < x.length; i++) x[i] = resolve(x[i], refs); return x; }
    if (x === null || typeof x !== "object") return x;
    const keys = Object.keys(x);
    if (keys.length === 1 && keys[0] === "$r") return refs[x.$r];
    if (keys.length === 1 && keys[0] === "$c") return [].concat(...x.$c.map((piece) => resolve(piece, refs)));
    for (const k of keys) x[k] = resolve(x[k], refs);
    return x;
  }

  async function unpack(el) {  // the text of a <script> element, gzip + base64 or as it is
    if (el.dataset.encoding !== "gzip+base64") return el.textContent;
    if (typeof DecompressionStream === "undefined") throw new Error(meta.words.old_browser);
    const bin = atob(el.textContent.trim()), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  async function load() {
    const packed = $("#wb-plotly");
    if (packed && typeof Plotly === "undefined") {  // plotly.js packed with the data: run it as a script
      const script = document.createElement("script");
      script.textContent = await unpack(packed);
      document.head.appendChild(script);
    }
    const data = JSON.parse(await unpack($("#wb-data")));
    for (const k of ["first", "keyframes", "patches"]) data[k] = resolve(data[k], data.refs);
    return data;
  }

  // ---- the state at any kept step: the keyframe before it, then the patches up to it -----------------
  function Player(data) {
    const K = data.every, channels = Object.keys(data.first), keys = [data.first];
    let cur = { index: 0, state: data.first };
    function keyframe(j) {
      for (let k = keys.length; k <= j; k++) {
        const s = {};
        for (const ch of channels) {
          const p = data.keyframes[ch][k];
          s[ch] = p === null ? keys[k - 1][ch] : apply(keys[k - 1][ch], p);
        }
        keys.push(s);
      }
      return keys[j];
    }
    function at(i) {
      const j = Math.floor(i / K);
      let from = cur.index <= i && cur.index >= j * K ? cur : { index: j * K, state: keyframe(j) };
      const s = Object.assign({}, from.state);
      for (let n = from.index + 1; n <= i; n++) {
        for (const ch of channels) {
          const p = data.patches[ch][n];
          if (p !== null) s[ch] = apply(s[ch], p);
        }
      }
      cur = { index: i, state: s };
      return s;
    }
    return { at, count: data.steps };
  }

  // ---- drawing ----------------------------------------------------------------------------------------
  const plots = {};  // view name -> its element
  for (const el of document.querySelectorAll(".wb-plot")) plots[el.dataset.view] = el;
  const shown = {};  // view name -> the figure drawn (compared by identity: a patch makes a new one)

  function copy(x) {
    return typeof structuredClone === "function" ? structuredClone(x) : JSON.parse(JSON.stringify(x));
  }

  function draw(name, figure) {  // plotly writes into what it is given: it gets a copy
    const el = plots[name], f = copy(figure), w = el.clientWidth, h = el.clientHeight;
    const fit = w > 50 && h > 50;  // the figure takes its cell's box, as the app's dashboard does
    const layout = fit ? Object.assign(f.layout || {}, { width: w, height: h, autosize: false }) : f.layout;
    shown[name] = figure;
    return Plotly.react(el, f.data || [], layout || {}, CONFIG);
  }

  let latest = null;  // the state shown; a view in a hidden tab is drawn when its tab is shown (as in the app)
  function hidden(name) {
    const panel = plots[name].closest(".wb-panel");
    return !!panel && !panel.classList.contains("wb-active");
  }

  function show(state, readouts) {
    const drawing = [];
    latest = state;
    for (const name of meta.views) {
      if (state[name] !== shown[name] && !hidden(name)) drawing.push(draw(name, state[name]));
    }
    const texts = readouts || state._readouts;
    for (const [name, css] of Object.entries(READOUT_CLASS)) {
      const el = document.querySelector(".wb-page ." + css);
      if (el && name in texts && el.innerHTML !== texts[name]) el.innerHTML = texts[name];
      if (el && css === "wb-alarm" && name in texts) el.hidden = !texts[name];
    }
    return Promise.all(drawing);
  }

  // ---- controls ---------------------------------------------------------------------------------------
  function start(data) {
    const player = Player(data), last = player.count - 1;
    const scrub = $(".wb-scrub"), play = $(".wb-play"), speed = $(".wb-speed input");
    let index = -1, wanted = last, busy = null, playing = false;
    scrub.max = String(last);

    function go(i) {  // show kept step i; resolves once every view that changed is redrawn
      wanted = Math.max(0, Math.min(last, i));
      if (!busy) busy = redraw();
      return busy;
    }

    async function redraw() {  // until the step last asked for is shown (a fast drag skips the ones between)
      await null;  // always asynchronous: `busy` is set before this goes on
      try {
        while (index !== wanted) {
          index = wanted;
          scrub.value = String(index);
          await show(player.at(index));
        }
      } catch (e) {
        message.textContent = meta.words.failed + " " + (e && e.message ? e.message : e);
        throw e;
      } finally {
        busy = null;
      }
    }

    async function run() {
      if (index >= last) await go(0);
      while (playing && index < last) {
        const t0 = performance.now();
        await go(index + 1);
        const wait = 1000 / Number(speed.value) - (performance.now() - t0);
        await new Promise((r) => setTimeout(r, Math.max(0, wait)));
      }
      setPlaying(false);
    }

    function setPlaying(on) {
      playing = on;
      play.textContent = on ? meta.words.pause : meta.words.play;
      play.classList.toggle("wb-on", on);
      if (on) run();
    }

    scrub.addEventListener("input", () => go(Number(scrub.value)));
    play.addEventListener("click", () => setPlaying(!playing));
    $(".wb-step-back").addEventListener("click", () => { setPlaying(false); go(index - 1); });
    $(".wb-step-forward").addEventListener("click", () => { setPlaying(false); go(index + 1); });
    for (const b of document.querySelectorAll(".wb-tab")) b.addEventListener("click", () => tab(b));
    const observer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const name = e.target.dataset.view;
        if (shown[name] && e.contentRect.width > 50) draw(name, shown[name]);
      }
    });
    Object.values(plots).forEach((el) => observer.observe(el));
    window.WB = { go, get index() { return index; }, count: player.count, steps: meta.steps, at: player.at,
      shown: () => shown, playing: () => playing, tab: (name) => tab(document.querySelector(
        `.wb-tab[data-panel="wb-panel-${name}"]`)) };
    return go(last).then(() => show(player.at(last), meta.opening));  // the app opens at its last step
  }

  function tab(button) {
    const cell = button.closest(".wb-cell");
    for (const b of cell.querySelectorAll(".wb-tab")) b.setAttribute("aria-selected", String(b === button));
    for (const p of cell.querySelectorAll(".wb-panel")) p.classList.toggle("wb-active", p.id === button.dataset.panel);
    return latest ? show(latest, {}) : Promise.resolve();
  }

  document.documentElement.classList.add("wb-js");
  const runPanel = $("#wb-panel-run"), runInfo = $(".wb-run");
  if (runPanel && runInfo) runPanel.appendChild(runInfo);
  load()
    .then(start)
    .then(() => document.documentElement.classList.add("wb-ready"))
    .catch((e) => {
      message.textContent = meta.words.failed + " " + (e && e.message ? e.message : e);
      document.documentElement.classList.add("wb-failed");
    });
})();
