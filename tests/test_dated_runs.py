"""The dated runs (`make test-dates`) leave out the modules listed in the Makefile's PINNED: each
must stop the clock for every one of its tests, fixtures included, or a date leak in it would go
unseen."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_list(name):
    """The module names of a Makefile variable (continued over backslashed lines)."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name} := ((?:.*\\\n)*.*)$", text, re.M)
    return match.group(1).replace("\\\n", " ").split()


def test_every_module_left_out_as_pinned_stops_the_clock_for_all_its_tests():
    pinned = make_list("PINNED")
    unpinned = {}
    for module in pinned:
        source = (ROOT / "tests" / f"{module}.py").read_text()
        if not re.search(r"^pytestmark = (clock\.)?pinned\(", source, re.M):
            unpinned[module] = "no module-wide pinned() mark"
        elif re.search(r"scope=\"(module|package|session)\"", source):
            unpinned[module] = "a fixture outlives its test, outside the pinned clock"

    assert unpinned == {}


def test_the_lists_name_existing_modules():
    for name in ("UNDATED", "PINNED"):
        missing = [m for m in make_list(name) if not (ROOT / "tests" / f"{m}.py").exists()]
        assert missing == [], name
