"""The app's stylesheet: one screen at 1280 x 720, type readable from the back of a room (>= 14 px).

Owns: the CSS of the classes the app sets: the grid areas of the dashboard (wb-area-*), the three
presets (wb-preset-classroom, -presentation: bigger type, -debug: the knobs, and it may scroll), the
step counter, phase badge, narration, alarm banner, message area, tabs and narration log, and the
font sizes of every ipywidgets control inside the app. Must not: name a class no widget has.
"""

STYLE = """<style>
.wb-app.wb-app {display: grid; box-sizing: border-box; width: 100%; min-height: 520px; overflow: hidden;
  grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  grid-template-rows: auto auto auto auto auto auto minmax(0, 1fr) minmax(0, 1fr);
  grid-template-areas: "bar bar" "status status" "narration narration" "alarm alarm" "message message"
    "knobs knobs" "arch heatmap" "policy tabs";
  gap: 3px 8px; padding: 2px 4px; font-size: 16px;
  --jp-widgets-font-size: 15px; --jp-ui-font-size1: 15px; --jp-content-font-size1: 15px;
  --jp-widgets-inline-height: 32px;}
.wb-app.wb-preset-debug {height: auto; overflow: visible;
  grid-template-rows: auto auto auto auto auto auto 330px 330px;}
.wb-app .wb-style, .wb-app .wb-fit {display: none}
.jp-Cell:has(.wb-app) .jp-Cell-inputWrapper:has(.jp-InputPlaceholder) {display: none}
.wb-area-bar {grid-area: bar} .wb-area-status {grid-area: status} .wb-area-narration {grid-area: narration}
.wb-area-alarm {grid-area: alarm} .wb-area-message {grid-area: message} .wb-area-knobs {grid-area: knobs}
.wb-area-arch {grid-area: arch} .wb-area-heatmap {grid-area: heatmap} .wb-area-policy {grid-area: policy}
.wb-area-tabs {grid-area: tabs}
.wb-app .wb-area-arch, .wb-app .wb-area-heatmap, .wb-app .wb-area-policy, .wb-app .wb-area-tabs {
  min-height: 0; min-width: 0; height: 100%; overflow: hidden; margin: 0; border: 1px solid #e3e7ec;
  border-radius: 4px; box-sizing: border-box}
.wb-app .widget-label, .wb-app .widget-readout, .wb-app .widget-html, .wb-app .widget-html-content,
.wb-app input, .wb-app select, .wb-app textarea, .wb-app .widget-dropdown > select, .wb-app .widget-checkbox,
.wb-app .lm-TabBar-tab, .wb-app .p-TabBar-tab, .wb-app .widget-inline-hbox label {font-size: 15px}
.wb-app .widget-button, .wb-app .widget-toggle-button {font-size: 16px; height: 34px; padding: 0 10px}
.wb-app .widget-hbox, .wb-app .widget-vbox {min-width: 0}
.wb-bar {flex-flow: row nowrap; align-items: center; gap: 4px}
.wb-bar .wb-scrub {flex: 1 1 auto; min-width: 200px}
.wb-status {flex-flow: row nowrap; align-items: center; gap: 10px; min-height: 32px}
.wb-step-counter .widget-html-content {font-size: 20px; font-weight: 600; white-space: nowrap}
.wb-phase {padding: 0 8px; border-radius: 6px; background: #eef3f8}
.wb-phase .widget-html-content {font-size: 16px; white-space: nowrap}
.wb-scenario {width: 220px; flex: 0 0 auto}
.wb-goal {flex: 1 1 auto; min-width: 0}
.wb-goal .widget-html-content {font-size: 15px; line-height: 1.25; white-space: normal; color: #1f4e79}
.wb-app .wb-narration {height: auto; margin: 0}
.wb-narration .widget-html-content {font-size: 16px; line-height: 1.3; height: 3.9em; overflow-y: auto;
  white-space: normal}
.wb-alarm {align-items: center; gap: 8px; padding: 2px 8px; border-radius: 6px; background: #fdecea;
  border: 2px solid #D55E00}
.wb-alarm .widget-html-content {font-size: 16px; line-height: 1.25; white-space: normal; color: #8a2b00}
.wb-alarm.wb-alarm-ok {background: #e8f5ef; border-color: #009E73}
.wb-alarm.wb-alarm-ok .widget-html-content {color: #00573f}
.wb-message, .wb-message .widget-html-content {color: #B03A00; font-size: 16px; white-space: normal; margin: 0}
.wb-tabs {display: flex; flex-direction: column}
.wb-tabs > .lm-TabBar, .wb-tabs > .p-TabBar {flex: 0 0 auto; min-height: 30px}
.wb-app .wb-tabs.widget-tab > .lm-TabBar .lm-TabBar-tab {font-size: 15px; line-height: 28px; min-width: 0;
  flex: 0 1 auto; padding: 0 8px}
.wb-tabs > .widget-tab-contents {flex: 1 1 auto; min-height: 0; overflow: hidden; padding: 2px; box-sizing: border-box}
.wb-tabs > .widget-tab-contents > * {height: 100%; box-sizing: border-box}
.wb-tab-page {overflow-y: auto; gap: 6px}
.wb-tab-page > * {flex: 0 0 auto}  /* rows keep their height; a short cell (JupyterLab) scrolls */
.wb-log, .wb-log .widget-html-content {font-size: 15px; line-height: 1.3; overflow-y: auto; height: 100%;
  white-space: normal}
.wb-log-list {margin: 0; padding-left: 0; list-style: none}
.wb-log-list li {margin: 0 0 4px 0}
.wb-log-n {font-weight: 600; margin-right: 6px; color: #1f4e79}
.wb-log-alarm {color: #8a2b00} .wb-log-fork {font-weight: 600; border-top: 2px solid #7F7F7F; padding-top: 2px}
.wb-log-old {color: #6b6b6b} .wb-log-branch {font-size: 14px; border: 1px solid #9a9a9a; border-radius: 4px;
  padding: 0 4px}
.wb-compare-result .widget-html-content {font-size: 15px; line-height: 1.35; white-space: normal}
.wb-preset-presentation.wb-app {--jp-widgets-font-size: 17px; font-size: 18px}
.wb-preset-presentation .widget-button, .wb-preset-presentation .widget-toggle-button {font-size: 18px; height: 38px}
.wb-preset-presentation .wb-step-counter .widget-html-content {font-size: 24px}
.wb-preset-presentation .wb-phase .widget-html-content {font-size: 18px}
.wb-preset-presentation .wb-goal .widget-html-content {font-size: 17px}
.wb-preset-presentation .wb-narration .widget-html-content {font-size: 19px; height: 3.9em}
.wb-app.wb-preset-presentation .wb-tabs.widget-tab > .lm-TabBar .lm-TabBar-tab {font-size: 17px}
</style>"""
