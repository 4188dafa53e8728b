"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library.

Plain SVG with explicit fill and stroke attributes only (no CSS, no external references),
so the same markup shows in the browser and in WeasyPrint PDF reports. Every chart has a
<title> and a <desc> listing its figures; it scales to its container through its viewBox.
Colours differ and so do dash patterns, so that lines stay apart in greyscale print.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

from assessments.scoring import round2

FONT = "Sarabun, 'Noto Sans Thai', Loma, sans-serif"
INK, MUTED, GRID = "#1d2733", "#5b6670", "#d8dee4"
# (colour, dash pattern) per series: blue solid, red dashed, green dotted, purple dash-dot, brown long dash.
PALETTE = [("#1f5f8b", ""), ("#b23a48", "7 4"), ("#2e7d32", "2 3"), ("#6a3d9a", "9 3 2 3"), ("#8c5a00", "12 4")]
MAX_LABELLED_POINTS = 8
LABEL_GAP = 14  # vertical distance between two value labels in the same year: their boxes (13 high) never touch
LABEL_SIZE, AXIS_SIZE = 11, 12  # font sizes of the value labels and of the axis labels


def label_half_width(text):
    """Half the width of a value label's pale box."""
    return text_width(text, LABEL_SIZE) / 2 + 2


def fmt(value):
    """A figure as published: two decimals, half up."""
    return f"{round2(value):.2f}"


def text_width(text, size):
    """Rough width of a label; Thai vowel and tone marks above or below take no width."""
    return sum(0 if "\u0e31" <= c <= "\u0e3a" or "\u0e47" <= c <= "\u0e4e" else 1 for c in str(text)) * size * 0.58


def svg(title, desc, width, height, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{escape(FONT)}" font-size="12" fill="{INK}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>' + "".join(body) + "</svg>"
    )


def y_range(values, y_min, y_max):
    """From a multiple of 5 below the lowest value (never below 0) up to y_max."""
    if y_min is None:
        y_min = max(0, 5 * math.ceil(min(values) / 5) - 5) if values else 0
    return y_min, max(y_max, y_min + 1)


def tick_step(span):
    return next(step for step in (1, 2, 5, 10, 20, 25, 50) if span / step <= 6)


def runs(points):
    """Contiguous stretches of known points: [(x, y), …] split wherever a value is missing."""
    stretch = []
    for point in points:
        if point is None:
            if stretch:
                yield stretch
            stretch = []
        else:
            stretch.append(point)
    if stretch:
        yield stretch


def legend(labels, width):
    """Legend entries in rows under the plot: (markup for a top edge at 0, height)."""
    body, x, y = [], 0, 12
    for index, label in enumerate(labels):
        colour, dash = PALETTE[index % len(PALETTE)]
        entry = 30 + text_width(label, 12) + 16
        if x and x + entry > width:
            x, y = 0, y + 18
        body.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{colour}" stroke-width="2.5"'
            + (f' stroke-dasharray="{dash}"/>' if dash else "/>")
            + f'<text x="{x + 30}" y="{y}">{escape(label)}</text>'
        )
        x += entry
    return "".join(body), y + 6


def thinned(years, x_of):
    """The years to write under the axis: every one when there is room, else every second, third …
    (the first always, the last when it keeps clear of the one before), so no two labels touch."""
    if len(years) < 2:
        return list(years)
    room = text_width(max(years, key=lambda y: len(str(y))), AXIS_SIZE) + 8
    step = x_of(years[1]) - x_of(years[0])
    every = max(1, math.ceil(room / step)) if step > 0 else len(years)
    shown = list(years[::every])
    if shown[-1] != years[-1] and x_of(years[-1]) - x_of(shown[-1]) >= room:
        shown.append(years[-1])
    return shown


def stacked(stack, bottom, top=32):
    """Baselines for one year's value labels [(point y, text, colour)], sorted by point: above the
    point when there is room, else below it, else under the label before, LABEL_GAP apart; those that
    would reach the years under the axis moved up, and all left out when they cannot fit at all."""
    placed, lines = top - LABEL_GAP, []
    for point_y, text, colour in stack:
        y = point_y - 8 if point_y - 8 >= placed + LABEL_GAP else max(point_y + 17, placed + LABEL_GAP)
        lines.append((y, text, colour))
        placed = y
    # From the lowest up: none below the axis line (the years are under it), each LABEL_GAP above the next.
    limit = bottom + 2
    for index in range(len(lines) - 1, -1, -1):
        y, text, colour = lines[index]
        lines[index] = (min(y, limit), text, colour)
        limit = lines[index][0] - LABEL_GAP
    if lines and lines[0][0] < top:
        return []  # too many to write: the figures are in the chart's description
    return lines


def line_chart(title, years, series, *, y_min=None, y_max=100, width=640, height=260):
    """Lines over fiscal years; `series` is [(label, values aligned with years)], None for a gap."""
    known = [v for _label, values in series for v in values if v is not None]
    low, high = y_range(known, y_min, y_max)
    legend_body, legend_height = legend([label for label, _ in series], width) if len(series) > 1 else ("", 0)
    left, right, top, bottom = 36, width - 24, 40, height - 24 - legend_height
    first, last = (min(years), max(years)) if years else (0, 0)
    start, end = left + 22, right - 22  # the first and last years keep room for their value labels

    def x_of(year):
        return (start + end) / 2 if first == last else start + (end - start) * (year - first) / (last - first)

    # Values are written at the points when there are few of them and room between them: two
    # neighbouring years' labels side by side never touch ("100.00" is the widest).
    widest = 2 * label_half_width("100.00") + 4
    labelled = len(years) <= MAX_LABELLED_POINTS and all(
        x_of(b) - x_of(a) >= widest for a, b in zip(years, years[1:], strict=False)
    )

    def y_of(value):
        return bottom - (bottom - top) * (float(value) - low) / (high - low)

    body = []
    step = tick_step(high - low)
    for tick in range(math.ceil(low / step) * step, int(high) + 1, step):
        y = y_of(tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    for year in thinned(years, x_of):
        body.append(
            f'<text x="{x_of(year):.1f}" y="{bottom + 18}" text-anchor="middle" fill="{MUTED}">{escape(year)}</text>'
        )

    labels = {}  # year index → [(y, text, colour)]
    for index, (_label, values) in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)]
        points = [None if v is None else (x_of(year), y_of(v)) for year, v in zip(years, values, strict=False)]
        for stretch in runs(points):
            if len(stretch) > 1:
                coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in stretch)
                dashes = f' stroke-dasharray="{dash}"' if dash else ""
                body.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2.5"{dashes}/>'
                )
        for point in filter(None, points):
            body.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3.5" fill="{colour}"/>')
        if labelled:
            for column, (point, value) in enumerate(zip(points, values, strict=False)):
                if point:
                    labels.setdefault(column, []).append((point[1], fmt(value), colour))
    for column, stack in labels.items():
        x = x_of(years[column])
        for y, text, colour in stacked(sorted(stack), bottom):
            # A pale box under each label keeps it readable where lines cross it.
            half = label_half_width(text)
            body.append(
                f'<rect x="{x - half:.1f}" y="{y - 10:.1f}" width="{2 * half:.1f}" height="13" '
                'fill="#ffffff" fill-opacity="0.85"/>'
            )
            body.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="11" fill="{colour}">{text}</text>'
            )
    if legend_body:
        body.append(f'<g transform="translate(0 {height - legend_height})">{legend_body}</g>')

    desc = "; ".join(
        f"{label}: "
        + ", ".join(f"{year} {'–' if v is None else fmt(v)}" for year, v in zip(years, values, strict=False))
        for label, values in series
    )
    return svg(title, desc, width, height, body)


def bar_chart(title, bars, *, width=640, height=260):
    """Vertical bars, each labelled with its count; `bars` is [(label, count)]."""
    left, right, top = 8, width - 8, 40
    slot = (right - left) / max(len(bars), 1)
    # Labels wider than their bar's slot alternate between two lines, so neighbours never touch.
    staggered = any(text_width(label, AXIS_SIZE) + 6 > slot for label, _count in bars)
    bottom = height - 28 - (16 if staggered else 0)
    most = max([count for _label, count in bars] + [1])
    body = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>']
    for index, (label, count) in enumerate(bars):
        centre = left + slot * (index + 0.5)
        bar_height = (bottom - top) * count / most
        bar_width = min(slot * 0.6, 64)
        body.append(
            f'<rect x="{centre - bar_width / 2:.1f}" y="{bottom - bar_height:.1f}" width="{bar_width:.1f}" '
            f'height="{bar_height:.1f}" fill="{PALETTE[0][0]}"/>'
        )
        body.append(
            f'<text x="{centre:.1f}" y="{bottom - bar_height - 6:.1f}" text-anchor="middle">{escape(count)}</text>'
        )
        y = bottom + 18 + (16 if staggered and index % 2 else 0)
        body.append(f'<text x="{centre:.1f}" y="{y}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
    desc = ", ".join(f"{label}: {count}" for label, count in bars)
    return svg(title, desc, width, height, body)
