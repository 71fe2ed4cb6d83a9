"""What one page's repairs did, for the counters and the warning."""

from __future__ import annotations

import re
from collections import Counter

from ..model import Glyph, RawPage, ink
from .tables import LOST


_PLACEHOLDER = 0x100000  # pdfminer side: U+100000 + CID stands for a CID whose map entry was suspect
_CID = re.compile(r"\(cid:(\d+)\)")


def _strip_subset(name: str) -> str:
    return name[7:] if len(name) > 7 and name[6] == "+" and name[:6].isupper() and name[:6].isalpha() else name


class _Repairs:
    """What one page's repairs did, for the counters and the warning."""

    def __init__(self) -> None:
        self.dropped: Counter = Counter()  # font -> glyphs dropped

    def apply(self, g: Glyph, old: str, new: str | None, font: str, raw: RawPage) -> bool:
        """Give glyph ``g`` (text ``old`` in the layer) its font text ``new``;
        with none, strip what may not stay. Counted in ``raw`` so that
        ``read`` (which :func:`~pdfclean.engines.finish_glyphs` takes from the
        glyphs' final text) stays what the layer had. False: drop the glyph."""
        if new:
            g.text = new
            d = ink(new) - ink(old)
            raw.repairs["font_unicode"] += 1
            raw.account["font_unicode"] += d
            raw.account["read"] -= d
            return True
        kept = _CID.sub("", LOST.sub("", old))
        if kept == old:
            return True  # only controls: script's control repair takes them
        lost = ink(old) - ink(kept)
        raw.repairs["unmapped_glyphs"] += 1
        raw.account["unmapped_glyphs"] -= lost
        raw.account["read"] += lost
        self.dropped[font] += 1
        g.text = kept
        return bool(kept)

    def warn(self, raw: RawPage, warnings: list[str], warned: dict[int, tuple[int, Counter]]) -> None:
        """One warning per page (a page read in parts, around its marked
        content, updates the one it has: ``warned`` holds page -> (index in
        ``warnings``, glyphs per font))."""
        if not self.dropped:
            return
        at, dropped = warned.get(raw.number, (None, Counter()))
        dropped.update(self.dropped)
        n = sum(dropped.values())
        text = (f"page {raw.number}: {n} glyph(s) with no Unicode mapping dropped "
                f"(font{'s' if len(dropped) > 1 else ''} {', '.join(sorted(dropped))})")
        if at is not None and at < len(warnings) and warnings[at].startswith(f"page {raw.number}: "):
            warnings[at] = text
        else:
            warned[raw.number] = (len(warnings), dropped)
            warnings.append(text)
