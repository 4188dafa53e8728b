"""SVG charts: well-formed plain SVG, accessible, breaking lines at gaps, escaping data. No database."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from assessments.charts import bar_chart, line_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup):
    root = ET.fromstring(str(markup))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root):
    return [t.text for t in root.iterfind(".//svg:text", NS)]


def test_line_chart_is_accessible_scalable_svg():
    root = parse(line_chart("คะแนน ITA", [2564, 2565], [("ITA", [Decimal("95.01"), Decimal("97.04")])]))

    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 260"
    assert "Sarabun" in root.get("font-family")
    assert root.find("svg:title", NS).text == "คะแนน ITA"
    assert "2564 95.01, 2565 97.04" in root.find("svg:desc", NS).text
    assert "คะแนน ITA" in texts(root)


def test_values_are_labelled_to_two_decimals_half_up():
    root = parse(line_chart("ITA", [2564, 2565, 2566], [("ITA", [Decimal("95.01"), Decimal("86.585"), 90])]))

    assert {"95.01", "86.59", "90.00"} <= set(texts(root))


def test_many_points_are_not_labelled():
    years = list(range(2555, 2569))
    root = parse(line_chart("ITA", years, [("ITA", [Decimal("90.123")] * len(years))]))

    assert "90.12" not in texts(root)
    assert len(root.findall(".//svg:circle", NS)) == len(years)


def test_one_line_per_unbroken_run_and_a_dot_for_a_lone_point():
    values = [90, 91, None, 93, None, 95, 96, 97]
    root = parse(line_chart("ITA", list(range(2561, 2569)), [("ITA", values)]))

    lines = root.findall(".//svg:polyline", NS)
    assert [len(line.get("points").split()) for line in lines] == [2, 3]
    assert len(root.findall(".//svg:circle", NS)) == 6  # every known point, 93 alone included
    assert "2563 –" in root.find("svg:desc", NS).text


def test_series_differ_in_colour_and_dash_and_have_a_legend():
    root = parse(line_chart("Tools", [2564, 2565], [("IIT", [90, 95]), ("EIT", [85, 88]), ("OIT", [100, 100])]))

    lines = root.findall(".//svg:polyline", NS)
    assert len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    assert {"IIT", "EIT", "OIT"} <= set(texts(root))


def test_single_series_has_no_legend():
    root = parse(line_chart("ITA", [2564, 2565], [("Series name", [90, 95])]))

    assert "Series name" not in texts(root)


def test_y_axis_starts_at_a_multiple_of_five_below_the_lowest_value():
    root = parse(line_chart("ITA", [2564, 2565], [("ITA", [Decimal("87.88"), Decimal("99")])]))

    ticks = [t for t in texts(root) if t and t.isdigit() and len(t) <= 3]
    assert ticks[0] == "85" and ticks[-1] == "100"


def test_y_axis_never_goes_below_zero_and_follows_a_given_floor():
    low = parse(line_chart("ITA", [2564], [("ITA", [Decimal("2")])]))
    fixed = parse(line_chart("ITA", [2564], [("ITA", [Decimal("97")])], y_min=50))

    assert [t for t in texts(low) if t == "0"]
    assert "50" in texts(fixed)


def test_empty_chart_is_still_valid():
    root = parse(line_chart("ITA", [2564, 2565], [("ITA", [None, None])]))

    assert root.findall(".//svg:polyline", NS) == []


def test_every_text_is_escaped():
    markup = str(line_chart("A <&> title", [2565], [("x <&> y", [90]), ("z", [91])]))
    root = parse(markup)

    assert "<&>" not in markup
    assert root.find("svg:title", NS).text == "A <&> title"
    assert "x <&> y" in texts(root)


def test_bar_chart_labels_each_bar_with_its_count():
    root = parse(bar_chart("ระดับผลการประเมิน", [("ผ่านดีเยี่ยม", 3), ("ผ่านดี", 5), ("ผ่าน", 0)]))

    assert root.find("svg:title", NS).text == "ระดับผลการประเมิน"
    assert {"ผ่านดีเยี่ยม", "ผ่านดี", "ผ่าน", "3", "5", "0"} <= set(texts(root))
    heights = [float(rect.get("height")) for rect in root.findall(".//svg:rect", NS)]
    assert heights[1] > heights[0] > heights[2] == 0


def test_bar_chart_with_all_counts_zero():
    root = parse(bar_chart("Levels", [("AA", 0), ("A", 0)]))

    assert texts(root).count("0") == 2
    assert all(float(rect.get("height")) == 0 for rect in root.findall(".//svg:rect", NS))


def test_bar_chart_escapes_labels():
    markup = str(bar_chart("<Levels>", [("<&>", 1)]))

    assert "<&>" in texts(parse(markup))
    assert "<Levels>" not in markup
