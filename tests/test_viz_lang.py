"""Every figure in Chinese: no English word left in a zh figure, and English figures stay English.

Walks the figure JSON of every registered view (at its own height and as dashboard panels) and of
every plot_x function, on the teaching space and a small enas-macro, before and after a few steps,
and checks every text a reader sees: titles, subtitles, axis and colour-bar titles, annotations,
trace names, bar and cell texts, tick texts, category labels, hover texts and templates.
"""

from __future__ import annotations

import re

import pytest
from frames import frame_of

import workbench as wb
from workbench import ops
from workbench.viz import arch_draw
from workbench.viz import text as vtext
from workbench.viz import text_records as vtr
from workbench.viz.view import Frame

CJK = re.compile(r"[\u3400-\u9fff]")
TEXT_KEYS = {"text", "name", "hovertext", "hovertemplate", "ticktext", "texttemplate", "x", "y"}
OPS = sorted({*ops.TEACHING_OPS, *ops.MACRO_OPS, *arch_draw._SHORT.values()}, key=len, reverse=True)  # max3x3 too
# what may stay as it is in a Chinese figure: the program's own names, markup, numbers
ALLOWED = [
    r"<[^>]*>",  # markup: <b>, <br>, <span style='color:#E69F00'>, <extra></extra>
    r"%\{[^}]*\}",  # plotly template fields
    r"\btrainer\.\w+\(\)",  # an API call in a notebook hint
    r"\b(?:teaching|enas-macro)(?:\([^)]*\))?",  # space names, with their parameters
    r"\+skip\([\d,]+\)",  # the skip part of a macro arch string: layer4=conv3x3+skip(0,2)
    r"\b(?:node|layer|reduce)\d+(?:<-\d+)?/\w+",  # weight blocks: node3<-1/tanh, layer3/sep5x5, layer3/bn
    r"\b(?:node|layer)\d+\.(?:input|op|skip\d+)\b",  # decisions
    r"\b(?:node\d+|layer\d+|stem|input|output|classifier)\b",  # nodes
    r"\b(?:" + "|".join(OPS) + r")\b",  # ops
    r"\blog P\b|\bP\(",  # a (log-)probability
    r"\d+(?:\.\d+)?(?:e[+-]?\d+)?",  # numbers (1.2e-05)
]
B = r"(?:(?<![A-Za-z0-9_])(?=[A-Za-z0-9_])|(?<=[A-Za-z0-9_])(?![A-Za-z0-9_]))"  # a word boundary in ASCII
TOKENS = re.compile("|".join(ALLOWED).replace(r"\b", B))  # "是identity": a name beside a CJK character


def english_words(s: str) -> list[str]:
    """The Latin words (two letters or more) of `s` that are not one of the program's own names."""
    return re.findall(r"[A-Za-z]{2,}", TOKENS.sub(" ", s))


def shown_texts(node, key=None):
    """Every string under a text key of a figure's JSON (recursively, lists included)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from shown_texts(v, k)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from shown_texts(v, key)
    elif isinstance(node, str) and key in TEXT_KEYS:
        yield node


def assert_chinese(fig, where):
    bad = sorted({s for s in shown_texts(fig.to_plotly_json()) if english_words(s)})
    assert not bad, f"{where}: English left in a zh figure: {bad[:8]}"


def assert_english(fig, where):
    bad = sorted({s for s in shown_texts(fig.to_plotly_json()) if CJK.search(s)})
    assert not bad, f"{where}: Chinese in an en figure: {bad[:8]}"


def test_the_word_check_is_strict_about_words_only():
    assert english_words("not in this child") == ["not", "in", "this", "child"]
    assert english_words("在 this 子模型中") == ["this"]  # a CJK character does not excuse an English word
    fine = [
        "超网络中的采样子模型（enas-macro(channels=8,num_layers=4)）",
        "node1=relu(stem) node2=tanh(node1) layer2=maxpool3x3+skip(0)",
        "权重块 <b>node3<-1/tanh</b>：12 个 ω 步中有 3 个给了它梯度",
        "第 %{x} 步：%{y:.4g}",
        "还没有 ω 步：运行 trainer.shared_step()",
        "layer3.skip1 = 有跳连: 1.2e-05%",
    ]
    assert [english_words(s) for s in fine] == [[]] * len(fine)


def _figures(trainer, lang):
    """(where, figure) for every registered view at three sizes and every plot_x function."""
    space, h = trainer.space, trainer.history
    node = "node2" if space.kind == "teaching" else "layer3"
    frame = frame_of(trainer, lang, selected=node)
    for view in wb.viz.views():
        for height in (None, 290, 250):
            yield f"view {view.name} at {height}", view.figure(frame, height)
    arch = frame.arch
    yield "plot_arch", wb.viz.plot_arch(space, arch, trainer.update_counts, trainer.controller, lang=lang)
    for normalize in (False, True):
        yield (
            "plot_update_heatmap",
            wb.viz.plot_update_heatmap(trainer.update_counts, space, normalize, lang=lang, history=h, arch=arch),
        )
    yield "plot_policy", wb.viz.plot_policy(trainer.controller, lang=lang, previous=frame.previous)
    yield "plot_policy_history", wb.viz.plot_policy_history(h, lang=lang)
    yield "plot_training", wb.viz.plot_training(h, lang=lang)
    for min_samples in (20, 1):
        report = wb.viz.collapse_report(h, lang=lang, min_samples=min_samples)
        yield f"plot_collapse (min_samples={min_samples})", wb.viz.plot_collapse(report, selected=node)
        yield "plot_collapse as a panel", wb.viz.plot_collapse(report, height=250)
    yield "plot_skip_rate", wb.viz.plot_skip_rate(h, target=0.4, lang=lang)
    yield "plot_skip_rate of runs", wb.viz.plot_skip_rate({"a": h, "b": h}, lang=lang)


@pytest.fixture(scope="module", params=["teaching", "enas-macro"])
def trainer(request, mnist1d, digits_image):
    if request.param == "teaching":
        space, data = wb.spaces.get("teaching"), mnist1d
    else:
        space, data = wb.spaces.get("enas-macro", num_layers=4, channels=8), digits_image
    config = wb.TrainerConfig.for_space(space, batch_size=32, controller_aggregate=2, reward_batch_size=32)
    return wb.Trainer(space, data=data, config=config, seed=0)


def test_every_figure_speaks_chinese_before_and_after_steps(trainer):
    for phase in ("before any step", "after a few steps"):
        if phase == "after a few steps":
            for _ in range(3):
                trainer.shared_step()
            trainer.controller_step()
            trainer.shared_step()
        for where, fig in _figures(trainer, "zh"):
            assert_chinese(fig, f"{trainer.space.name}, {phase}, {where}")
        for where, fig in _figures(trainer, "en"):
            assert_english(fig, f"{trainer.space.name}, {phase}, {where}")


def test_the_collapse_report_and_the_reasons_in_chinese(trainer):
    for _ in range(2):
        trainer.controller_step()
    for min_samples in (1, 1000):
        report = wb.viz.collapse_report(trainer.history, lang="zh", min_samples=min_samples)
        texts = [
            report.verdict_text,
            *report.reasons,
            *(c.name for c in report.checks),
            *(c.text for c in report.checks),
        ]
        assert all(not english_words(s) and CJK.search(s) for s in texts), texts
        assert report.verdict in ("too early", "healthy", "warning", "collapsed")  # the verdict stays a key
        en = wb.viz.collapse_report(trainer.history, min_samples=min_samples)
        assert [c.key for c in en.checks] == [c.key for c in report.checks]
        assert en.verdict == report.verdict and not any(CJK.search(s) for s in en.reasons)
    names = {c.key: c.name for c in wb.viz.collapse_report(trainer.history, min_samples=1).checks}
    assert names["entropy"] == "entropy (mean share of max)"  # today's English


def test_why_unchanged_in_chinese_for_every_block(trainer):
    arch = trainer.space.random()
    for block in trainer.space.block_names():
        zh = wb.viz.why_unchanged(trainer.space, arch, block, "zh")
        assert CJK.search(zh) and not english_words(zh), (block, zh)
        assert not CJK.search(wb.viz.why_unchanged(trainer.space, arch, block))


def test_english_is_todays_english():
    space = wb.spaces.get("teaching")
    arch = space.parse("node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)")
    fig = wb.viz.plot_arch(space, arch)
    assert fig.layout.title.text == "The sampled child inside the supernet (teaching)"
    assert [t.name for t in fig.data[1:4]] == [
        "candidate, not in this child",
        "in this child (stem, classifier)",
        "skip connection in this child",
    ]
    counts = wb.UpdateCounts(space.block_names())
    heat = wb.viz.plot_update_heatmap(counts, space)
    assert heat.layout.title.text == "How often was each shared weight block updated? (teaching)"
    assert [a.text for a in heat.layout.annotations][:2] == ["received a gradient", "changed value"]
    assert wb.viz.plot_training(wb.History()).layout.title.text == "Training curves"
    assert "TOO EARLY TO TELL" in wb.viz.plot_collapse(wb.viz.collapse_report(wb.History())).layout.title.text


def test_the_live_hints_name_the_apps_buttons():
    """The live views' empty notes say which button to press, in the words the buttons carry."""
    from workbench.app.text import LABELS

    for lang in vtext.LANGS:
        omega, theta = LABELS[lang]["step_shared"], LABELS[lang]["step_controller"]
        assert omega in vtext.HEATMAP[lang]["hint_app"] and theta in vtext.POLICY[lang]["hint_app"]
        assert omega in vtr.TRAINING[lang]["hint_app"] and theta in vtr.TRAINING[lang]["hint_app"]
        assert theta in vtr.COLLAPSE[lang]["hint_app"]
        assert "trainer." not in vtext.HEATMAP[lang]["hint_app"] and "trainer." in vtext.HEATMAP[lang]["hint_api"]
    assert vtext.HEATMAP["zh"]["hint_app"] == "还没有 ω 步：按「更新 ω」"
    assert vtext.HEATMAP["en"]["hint_app"] == "No ω steps yet: press Step ω"


def test_the_tables_match_and_unknown_languages_are_refused():
    tables = [vtext.STYLE, vtext.BLOCKS, vtext.ARCH, vtext.HEATMAP, vtext.POLICY]
    tables += [vtr.TRAINING, vtr.COLLAPSE, vtr.HISTORY, vtr.SKIPS]
    fields = lambda s: sorted(re.findall(r"(?<!\{)\{(\w+)", s))  # noqa: E731
    for table in tables:
        assert set(table) == set(vtext.LANGS)
        assert table["en"].keys() == table["zh"].keys()
        for key, en in table["en"].items():
            assert fields(en) == fields(table["zh"][key]), key
    space = wb.spaces.get("teaching")
    with pytest.raises(ValueError, match="unknown language 'fr'; valid: en, zh"):
        wb.viz.plot_training(wb.History(), lang="fr")
    with pytest.raises(ValueError, match="unknown language 'de'; valid: en, zh"):
        wb.viz.plot_arch(space, space.random(), lang="de")
    with pytest.raises(ValueError, match="unknown language"):
        Frame(space, space.random(), wb.UpdateCounts(()), wb.History(), (), space.random(), lang="EN")
