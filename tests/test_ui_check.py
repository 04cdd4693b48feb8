"""The check in the window: badge, counterexample table, log-log plot; the local model's
row in Settings; tokens/s in the status bar (pytest-qt, offscreen)."""

from __future__ import annotations

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.answers.verification import Counterexample, Timing, Verification
from interview_corvus.core.catalog import entries
from interview_corvus.ui.answer.check_view import CheckBadge, CheckView
from interview_corvus.ui.answer.result_view import ResultView
from interview_corvus.ui.settings.local_models import LocalModelRow

TIMING = Timing(argument=0, sizes=[64, 128, 256, 512],
                original=[1e-4, 4e-4, 1.6e-3, 6.4e-3], optimized=[1e-5, 2e-5, 4e-5, 8e-5])


def test_a_verified_answer_shows_its_badge_and_plot(qtbot):
    view = ResultView()
    qtbot.addWidget(view)
    check = Verification(status="verified", checked=202, examples=2, timing=TIMING,
                         summary="✓ same results on 202 inputs · 80× faster at n=512")
    answer = CodeOptimization(optimized_code="x", language="python", is_complete=True,
                              verification=check)
    view.show_model(answer)
    assert view.badge.isVisibleTo(view) and "202 inputs" in view.badge.text()
    assert view.tabs.isTabVisible(view.check_tab)
    curves = view.check.curves()
    assert curves["original"] == ([64.0, 128.0, 256.0, 512.0], TIMING.original)
    assert curves["optimized"][1] == TIMING.optimized
    assert not view.check.table.isVisibleTo(view.check)


def test_a_counterexample_is_a_small_table(qtbot):
    view = CheckView()
    badge = CheckBadge()
    qtbot.addWidget(view)
    qtbot.addWidget(badge)
    check = Verification(status="counterexample", counterexample=Counterexample(
        call="two_sum([0, 0, 1], 1)", original="[0, 2]", optimized="[1, 2]"),
        summary="✗ differs on two_sum([0, 0, 1], 1): [0, 2] vs [1, 2]")
    view.show_check(check)
    badge.show_check(check)
    cells = [view.table.item(0, c).text() for c in range(3)]
    assert cells == ["two_sum([0, 0, 1], 1)", "[0, 2]", "[1, 2]"]
    assert view.table.isVisibleTo(view) and not view.plot.isVisibleTo(view)
    assert "✗ differs" in badge.text()
    badge.show_check(None)
    assert not badge.isVisibleTo(badge.parentWidget() or badge)


def test_a_wire_dict_is_read_and_other_kinds_hide_the_check(qtbot):
    from interview_corvus.core.answers.models import CodeSolution

    view = ResultView()
    qtbot.addWidget(view)
    answer = CodeOptimization.model_construct(
        optimized_code="x", language="python", improvements=[], explanation="",
        original_code="", fields={}, is_complete=False, progress=0.5,
        verification={"status": "checking", "summary": "checking…"})
    view.show_model(answer)
    assert "checking" in view.badge.text()
    view.show_model(CodeSolution(code="y", language="python"))
    assert not view.tabs.isTabVisible(view.check_tab)
    assert not view.badge.isVisibleTo(view)


def test_the_local_model_row_lists_the_catalog_and_offers_downloads(qtbot):
    row = LocalModelRow("")
    qtbot.addWidget(row)
    names = [row.choice.itemData(i) for i in range(row.choice.count())]
    assert names == ["", *(m.name for m in entries.CATALOG)]
    assert "Best installed (SmolLM2-135M-Instruct)" in row.choice.itemText(0)
    assert not row.download.isEnabled()  # "best installed" is not a download
    row.choice.setCurrentIndex(names.index("qwen2.5-coder-1.5b"))
    assert row.download.isEnabled() and row.value() == "qwen2.5-coder-1.5b"
    assert "not downloaded" in row.choice.currentText()
    row.choice.setCurrentIndex(names.index("smollm2-135m"))
    assert not row.download.isEnabled()  # bundled


def test_a_failed_download_is_said_in_place(qtbot, monkeypatch):
    from interview_corvus.core.errors import Unavailable

    def refuse(model, progress=None):
        progress("Downloading", 10, 100)
        raise Unavailable("Could not download it: the hub did not answer.")

    monkeypatch.setattr("interview_corvus.core.catalog.hub.pull", refuse)
    row = LocalModelRow("qwen2.5-coder-0.5b")
    qtbot.addWidget(row)
    with qtbot.waitSignals([row.fetcher.progress, row.fetcher.failed], order="strict"):
        row.download.click()
    assert "did not answer" in row.note.text() and not row.bar.isVisibleTo(row)


def test_the_settings_dialog_saves_the_local_model_and_the_check(qtbot, memory_keyring):
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(llm={"verify": True}))
    qtbot.addWidget(dialog)
    assert dialog.verify.isChecked()
    dialog.verify.setChecked(False)
    dialog.local_model.choice.setCurrentIndex(2)
    settings = dialog.result_settings()
    assert settings.llm.verify is False
    assert settings.llm.local_model == dialog.local_model.value() != ""


def test_the_status_bar_shows_the_model_and_its_rate(qtbot, make_app, monkeypatch):
    corvus = make_app(provider="local")
    provider = corvus.hub.service.provider
    status = corvus.window.status
    assert "SmolLM2-135M-Instruct (135M, Q4_1" in status.label.text()
    monkeypatch.setattr(type(provider), "live_rate", lambda self: 12.34)
    status._on_tick()
    assert "12.3 tokens/s" in status.label.text()


def test_a_contradicted_complexity_claim_is_not_a_plain_green_tick(qtbot):
    from interview_corvus.ui.answer.check_view import BADGE

    view = ResultView()
    qtbot.addWidget(view)
    check = Verification(status="verified", checked=202, timing=TIMING,
                         claim_mismatch="the optimized code is said to be O(n) but its time "
                                        "grew like n^2",
                         summary="✓ same results on 202 inputs · ⚠ but the optimized code is "
                                 "said to be O(n) but its time grew like n^2")
    view.show_model(CodeOptimization(optimized_code="x", language="python", is_complete=True,
                                     verification=check))
    green = BADGE["verified"][1]
    assert green not in view.badge.styleSheet() and BADGE["checking"][1] in \
        view.badge.styleSheet()
    assert "⚠" in view.badge.text()
