"""Marked content: ``/ActualText``, ``/ReversedChars`` and pagination ``/Artifact``.

Neither engine's glyph source says which marked-content sequence a glyph is
drawn in (MuPDF's text trace has no marked content; pdfminer's chars carry an
MCID and a tag, not the properties). So a page whose content, or a Form
XObject it draws, mentions ``/ActualText`` or ``/Artifact`` is read once more,
here: the content bytes are scanned for what matters — shown strings, the
font in use (``Tf``, kept across ``q``/``Q``), ``BDC``/``BMC``/``EMC`` and the
forms it draws (``Do``, followed) — and every glyph code a string shows is
counted (one byte per code for simple fonts, two for Identity-H/V and the
UCS-2/UTF-16 CMaps, an embedded CMap's codespace ranges otherwise). The
result, :class:`Marks`, holds ranges of code indexes in drawing order; the
engines' glyph lists are in the same order, one entry per code, so the marks
are applied by index. The count is checked first: when the engine saw a
different number of codes than the scan, nothing is applied to that page and
a warning says so.

The object model (resources, fonts, forms) comes from pikepdf/qpdf, opened
only when a page needs it; the content bytes are scanned with one regular
expression that matches only strings and the few operators that matter, so
a page full of ``/ActualText`` costs about a tenth of its text trace.

``/ReversedChars`` needs nothing: pdfclean orders text by geometry, never by
stream order, and an ``/ActualText`` string is taken as logical order (it is a
replacement string, not shown glyphs) wherever it sits.
"""

from .syntax import (  # noqa: F401
    MARKERS, _DELIM, _STR, _NAME, _END, _NAME_ONCE, _STR_ONCE, _op, _PROPS, _QUIET, _EMC, _STRING,
    _STRINGS, _SCAN, _WS, _HEX_PLAIN, _PART, _BDC_OPERANDS, _EI, _NAME_ESC, _ESC, _LIT_ESC,
    MAX_DEPTH, PAGINATION, MarkedError, Marks, _name, _literal, _CONT, _ONE, _literal_len, _NOT_HEX,
    _hex, text_string, _VALUES, _dict_value, _Font, _SIMPLE, _TWO, _font, _hex_codes,
    _literal_codes, _one_string_codes, _string_codes,
)
from .reader import (  # noqa: F401
    Reader, _inherited, _Walk,
)
from .trace import (  # noqa: F401
    _kinds, trace_codes, _CHARS, _GID, _Same, _SAME, _stranded, apply_trace, _split_by_kind,
    _apply_actual, _Restates, _RESTATES, _apart, _merge_pieces, _part_of, _advance, _span, _account,
)
from .chars import (  # noqa: F401
    _AXES, _char_part_of, _char_size, apply_chars,
)
from .wants import (  # noqa: F401
    mupdf_wants, pdfminer_wants,
)
from .glyphs import (  # noqa: F401
    glyphs,
)
