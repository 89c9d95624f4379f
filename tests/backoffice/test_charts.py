import pytest
from django.template.loader import render_to_string

from territoires.backoffice.charts import LABEL_LINE, VALUE_SPACE, bar_chart


def test_bars_are_proportional_to_the_largest_value():
    chart = bar_chart([("A", 4), ("B", 2), ("C", 1)], width=456)
    longest = 456 - VALUE_SPACE
    assert [bar.width for bar in chart.bars] == [longest, longest / 2, longest / 4]
    assert chart.total == 7
    assert chart.view_box == f"0 0 456 {chart.height}"


def test_rows_do_not_overlap_and_labels_sit_above_bars():
    chart = bar_chart([("A", 1), ("B", 1)], bar_height=20, gap=10)
    first, second = chart.bars
    assert first.label_y < first.y
    assert second.y - first.y == LABEL_LINE + 20 + 10
    assert second.label_y > first.y + first.height
    assert chart.height == 2 * (LABEL_LINE + 20 + 10) - 10
    assert first.value_x == first.width + 6


def test_small_values_stay_visible_and_zero_stays_empty():
    chart = bar_chart([("big", 100_000), ("tiny", 1), ("none", 0)])
    assert chart.bars[1].width == 1.0
    assert chart.bars[2].width == 0.0


def test_all_zero_and_empty_charts():
    assert [bar.width for bar in bar_chart([("a", 0), ("b", 0)]).bars] == [0.0, 0.0]
    empty = bar_chart([])
    assert empty.bars == () and empty.height == 1 and empty.total == 0


def test_negative_values_and_narrow_charts_are_refused():
    with pytest.raises(ValueError):
        bar_chart([("a", -1)])
    with pytest.raises(ValueError):
        bar_chart([("a", 1)], width=VALUE_SPACE)


def test_template_is_accessible_and_not_localised():
    chart = bar_chart([("Communes", 3), ("Départements", 1)], width=640)
    html = render_to_string(
        "backoffice/_bar_chart.html",
        {"chart": chart, "chart_id": "c1", "title": "Organismes par type", "label_header": "Type"},
    )
    assert 'role="img"' in html
    assert 'aria-labelledby="c1-title"' in html
    assert '<title id="c1-title">Organismes par type</title>' in html
    # French number formatting would write 194,7 and break the SVG.
    assert 'width="194.7"' in html
    assert "style=" not in html and "<script" not in html
    # The same figures as a table.
    assert '<th scope="row">Départements</th><td>1</td>' in html
    assert "<caption>Organismes par type</caption>" in html
