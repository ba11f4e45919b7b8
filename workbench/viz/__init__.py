"""Views: pure figure functions, data in, a plotly Figure out; none of them trains or steps anything.

    import workbench as wb
    wb.viz.plot_arch(trainer.space, arch, trainer.update_counts, trainer.controller)
    wb.viz.plot_policy(trainer.controller)                # each decision's probabilities now
    wb.viz.plot_policy_history(trainer.history)           # ... after every θ step, and entropies
    wb.viz.plot_update_heatmap(trainer.update_counts, trainer.space, normalize=False)
    wb.viz.plot_training(trainer.history)                 # loss, accuracy, reward, baseline, advantage
    wb.viz.plot_collapse(wb.viz.collapse_report(trainer.history))
    wb.viz.plot_arch(trainer.space, arch, lang="zh", selected="node3<-1/tanh", height=300)  # a dashboard panel
    wb.viz.why_unchanged(trainer.space, record.arch, "node3<-1/tanh")  # "not on the path of node3=..."
    wb.viz.projector(px.line(...))                        # a figure of your own in the same look

Each module keeps optuna's split: a data layer (`_get_x_info(...)` -> a frozen dataclass, tested on
its own), a skeleton whose traces are the same in number and order for a given space, and a patch
(info, skeleton -> trace patches, layout). A live view of the app is one `View` of these three,
registered once in its own module (view.py: `Frame`, `View`, `register`, `views`); the app loops
over `views()`, so a new live view is added in one file. Every figure takes `lang` ("en" or "zh":
its words are in text.py and text_records.py) and, where it shows weight blocks or nodes,
`selected`; the live views also take a height (under 450 px: a dashboard panel about 630 px wide).
"""

try:
    import plotly  # noqa: F401
except ImportError as e:  # pragma: no cover - plotly is a dependency of the viz and lab extras
    raise ImportError(
        "workbench.viz draws with plotly, which is not installed: pip install 'enas-workbench[viz]'"
    ) from e

from ._style import OKABE_ITO, OP_COLORS, op_color, projector
from .arch import plot_arch
from .blocks import why_unchanged
from .collapse import CollapseCheck, CollapseReport, CollapseThresholds, collapse_report
from .collapse_plot import plot_collapse
from .heatmap import plot_update_heatmap
from .policy import plot_policy
from .policy_history import plot_policy_history
from .skips import mean_skip_rate, plot_skip_rate, shortcut_share
from .training import plot_training
from .view import Frame, View, register, render, unregister, views

__all__ = [
    "CollapseCheck",
    "CollapseReport",
    "CollapseThresholds",
    "Frame",
    "OKABE_ITO",
    "OP_COLORS",
    "View",
    "collapse_report",
    "op_color",
    "plot_arch",
    "plot_collapse",
    "plot_policy",
    "plot_policy_history",
    "plot_training",
    "plot_update_heatmap",
    "projector",
    "register",
    "render",
    "unregister",
    "views",
    "why_unchanged",
    "mean_skip_rate",
    "plot_skip_rate",
    "shortcut_share",
]
