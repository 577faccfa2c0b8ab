"""The benchmarks must keep running; their figures are read by people, not asserted."""

from tests.benchmarks import validation


def test_validation_benchmark_runs_and_reports_every_figure(capsys):
    results = validation.main(["--seconds", "0.05"])
    assert len(results) == 3
    for figures in results.values():
        assert set(figures) == {"ours", "jsonschema_fresh", "jsonschema_cached"}
        assert all(rate > 0 for rate in figures.values())
    assert "ours is" in capsys.readouterr().out


def test_benchmark_traffic_is_what_it_claims():
    """The 'valid' frames of the mix are valid and the invalid ones are caught."""
    from app.ocpp.checker import FrameChecker

    checker = FrameChecker()
    verdicts = [checker.check(t, direction=d) for t, d in validation.exchanges(0)]
    invalid = [v for v in verdicts if not v.valid]
    assert len(invalid) == 3
    report = [checker.check(t, direction=d) for t, d in validation.notify_report()]
    assert all(v.valid for v in report)
