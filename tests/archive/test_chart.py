"""The viewer chart's geometry and the ?t= parsing, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from live.http.pages.archive import seek_seconds
from live.services.archive import CHART_HEIGHT, CHART_WIDTH, clock_label, viewer_chart
from live.storage.presence import ViewerSample

START = datetime(2026, 11, 20, 11, 30, tzinfo=UTC)


def sample(seconds: float, viewers: int) -> ViewerSample:
    return ViewerSample(session_id=1, at=START + timedelta(seconds=seconds), viewers=viewers)


def test_chart_scales_time_to_width_and_viewers_to_height() -> None:
    chart = viewer_chart([sample(0, 0), sample(300, 50), sample(600, 100)], START, 600)
    assert chart is not None
    assert (
        chart.points
        == f"0.0,{CHART_HEIGHT:.1f} {CHART_WIDTH / 2:.1f},{CHART_HEIGHT / 2:.1f} {CHART_WIDTH:.1f},0.0"
    )
    assert chart.max_viewers == 100
    assert [label for _, label in chart.ticks] == ["0:00", "5:00", "10:00"]


def test_chart_spans_samples_past_the_duration_and_survives_silence() -> None:
    chart = viewer_chart([sample(0, 0), sample(1200, 0)], START, 600)
    assert chart is not None and chart.duration_s == 1200 and chart.max_viewers == 1
    assert viewer_chart([], START, 600) is None


def test_clock_labels_and_seek_parsing() -> None:
    assert clock_label(59.9) == "0:59"
    assert clock_label(3725) == "1:02:05"
    assert seek_seconds("90", 600) == 90
    assert seek_seconds("9999", 600) == 600
    assert seek_seconds("1.5", None) == 1.5
    for bad in (None, "", "x", "-1", "nan", "inf"):
        assert seek_seconds(bad, 600) is None
