"""Sarabun whose PDF text layer gives back the Thai it shows (sara am ำ included).

Why: WeasyPrint writes ONE ToUnicode entry per glyph id, taken from the first cluster that used
it: in a cluster of several glyphs the last glyph gets the cluster's whole text and the others
none. HarfBuzz's Thai shaper always splits sara am ำ into nikhahit + sara aa (moving nikhahit
before a tone mark, whose cluster it merges), and Sarabun's sara aa is the same glyph as า; so
whichever came first wins: "ดำเนินงาน" copies as "ดำเนินงำน" (า read as ำ), or as "ดาเนินงาน",
and "น้ำ" loses its tone mark.

The derived font gives the sara aa of ำ its own glyphs, copies of sara aa used only there: one
after a bare nikhahit (its cluster's text is "ำ") and one after each nikhahit-with-tone ligature
(its cluster's text is "่ำ", "้ำ", "๊ำ" or "๋ำ"). Each glyph id then always stands for one text, which
is all a ToUnicode map can say. The outlines, metrics and every other rule are Sarabun's own.

Sarabun is under the SIL Open Font License 1.1 with no Reserved Font Name, so a modified
version may keep the name; it is still named "Sarabun ITA" so that nobody takes it for the
original. It is derived in memory once per process (about 0.1 s a face) and served to
WeasyPrint by reports.pdf's URL fetcher, so nothing is written and nothing binary is committed.
"""

import copy
import functools
import io
from pathlib import Path

import fontpkg_sarabun
from fontTools.otlLib.builder import ChainContextSubstBuilder, ChainContextualRule, SingleSubstBuilder
from fontTools.ttLib import TTFont

FONT_DIR = Path(fontpkg_sarabun.ROOT) / "files"
FAMILY = "Sarabun ITA"
SARA_AA = "uni0E32"
NIKHAHIT = ("uni0E4D", "uni0E4D.narrow")
TONES = ("0E48", "0E49", "0E4A", "0E4B")  # ่ ้ ๊ ๋


def sara_aa_of_am(tone=""):
    return f"{SARA_AA}.am{tone}"


def copy_glyph(font, source, name):
    font["glyf"][name] = copy.deepcopy(font["glyf"][source])
    font["hmtx"][name] = font["hmtx"][source]


def single(font, mapping, lookup_index):
    builder = SingleSubstBuilder(font, None)
    builder.mapping = mapping
    builder.lookup_index = lookup_index  # how the chain below refers to it
    return builder


def add_sara_am_glyphs(font):
    """Copies of sara aa for ำ, and a last ccmp lookup that puts them after nikhahit."""
    order = font.getGlyphOrder()
    names = [sara_aa_of_am()] + [sara_aa_of_am(tone) for tone in TONES]
    font.setGlyphOrder(order + names)
    for name in names:
        copy_glyph(font, SARA_AA, name)
    font["maxp"].numGlyphs = len(font.getGlyphOrder())

    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    singles = {}
    for tone in ("", *TONES):
        singles[tone] = single(font, {SARA_AA: sara_aa_of_am(tone)}, len(lookups))
        lookups.append(singles[tone].build())

    chain = ChainContextSubstBuilder(font, None)
    chain.rules.append(ChainContextualRule([set(NIKHAHIT)], [{SARA_AA}], [], [[singles[""]]]))
    for tone in TONES:
        ligatures = {f"uni0E4D{tone}", f"uni0E4D{tone}.narrow"}
        chain.rules.append(ChainContextualRule([ligatures], [{SARA_AA}], [], [[singles[tone]]]))
    lookups.append(chain.build())
    gsub.LookupList.LookupCount = len(lookups)
    chain_index = len(lookups) - 1
    # The chain runs after Sarabun's own ccmp lookups (the lookup list's order), when the
    # nikhahit-tone ligatures are already formed.
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(chain_index)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)


def rename(font, family):
    style = font["name"].getDebugName(2) or "Regular"
    postscript = f"{family.replace(' ', '')}-{style.replace(' ', '')}"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 3:
            record.string = f"{postscript};derived from {font['name'].getDebugName(3)}"
        elif record.nameID == 4:
            record.string = f"{family} {style}"
        elif record.nameID == 6:
            record.string = postscript


@functools.cache
def copyable_font(filename):
    """The derived font (TTF bytes) of one of fontpkg_sarabun's files."""
    font = TTFont(FONT_DIR / filename)
    add_sara_am_glyphs(font)
    rename(font, FAMILY)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
