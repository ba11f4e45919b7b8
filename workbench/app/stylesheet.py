"""The app's stylesheet: projector-sized controls, the step counter, the phase badge, the narration.

Owns: the CSS of the widget classes the app sets (wb-app, wb-step-counter, wb-phase, wb-narration,
wb-message), as one <style> element the page shows first. Must not: name a class no widget has.
"""

STYLE = """<style>
.wb-app {font-size: 16px}
.wb-app .widget-button, .wb-app .widget-toggle-button {font-size: 16px; height: 36px}
.wb-step-counter {font-size: 22px; font-weight: 600; min-width: 9em}
.wb-phase {font-size: 18px; padding: 2px 10px; border-radius: 6px; background: #eef3f8}
.wb-narration {font-size: 17px; line-height: 1.35; min-height: 3em}
.wb-message {color: #B03A00; font-size: 16px}
</style>"""
