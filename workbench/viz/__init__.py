"""Views: pure figure functions, data in, a plotly Figure out; none of them trains or steps anything.

    import workbench as wb
    wb.viz.plot_arch(trainer.space, arch, trainer.update_counts, trainer.controller)
    wb.viz.plot_policy(trainer.controller)                # each decision's probabilities now
    wb.viz.plot_policy_history(trainer.history)           # ... after every θ step, and entropies
    wb.viz.plot_update_heatmap(trainer.update_counts, trainer.space, normalize=False)
    wb.viz.plot_training(trainer.history)                 # loss, accuracy, reward, baseline, advantage
    wb.viz.plot_collapse(wb.viz.collapse_report(trainer.history))

Each module keeps optuna's split: a data layer (`_get_x_info(...)` -> a frozen dataclass, tested on
its own) and a renderer whose traces are the same in number and order for a given space, so the
app can patch a FigureWidget in place with the module's `_x_trace_data(info)`.
"""
try:
    import plotly  # noqa: F401
except ImportError as e:  # pragma: no cover - plotly is a dependency of the viz and lab extras
    raise ImportError("workbench.viz draws with plotly, which is not installed: "
                      "pip install 'enas-workbench[viz]'") from e

from ._style import OKABE_ITO, OP_COLORS, op_color
from .arch import plot_arch
from .collapse import CollapseCheck, CollapseReport, CollapseThresholds, collapse_report, plot_collapse
from .heatmap import plot_update_heatmap
from .policy import plot_policy
from .policy_history import plot_policy_history
from .training import plot_training

__all__ = [
    "CollapseCheck", "CollapseReport", "CollapseThresholds", "OKABE_ITO", "OP_COLORS", "collapse_report",
    "op_color", "plot_arch", "plot_collapse", "plot_policy", "plot_policy_history", "plot_training",
    "plot_update_heatmap",
]
