"""Unicode from the embedded font program, where the text layer has none.

A PDF maps glyphs to text through the font's ``/ToUnicode`` CMap (or its
encoding). Producers leave holes: a ligature component or a mark cluster with
no entry (MuPDF reads U+FFFD, pdfminer ``(cid:N)``), an entry mapped to U+0000,
to the private-use area or to a control character. The glyph itself is
almost always still known to the font program embedded in the file, and this
module asks it, in this order:

1. its ``cmap`` read backwards (Unicode subtables; of several code points
   drawn with one glyph, the base letter rather than a presentation form);
2. its glyph names (``post`` table, CFF charset) through the Adobe Glyph List
   and the ``uniXXXX``/``uXXXXX``/``name.suffix``/``a_b`` conventions, with
   the short Arabic names fonts use (``lam_alef`` → «لا»);
3. its GSUB ligatures read backwards: a ligature glyph stands for the texts
   of its components, recursively (a shadda+damma mark ligature → «ُّ»);
4. its GSUB single and alternate substitutions read backwards: a contextual
   form or an alternate stands for its base glyph's text.

Why fontTools: it is the reference reader of OpenType tables in Python
(cmap, post, CFF charsets, GSUB with extension lookups, and its ``agl``
module implements the glyph-name conventions), loads tables lazily and reads
the subset, broken or oddly packed fonts producers embed; neither MuPDF nor
pdfminer exposes a font's GSUB or glyph names. pdf.js does the same thing in
JavaScript: for a font with no or a partial ToUnicode it builds the text from
the embedded font's own cmap and glyph names (``fonts.js``/``glyphlist.js``
and its ``uniXXXX`` parsing), so a glyph the PDF forgot to map still reads.

Everything is lazy: a page whose glyphs all map pays one table lookup per
glyph in the engine's loop (:data:`ODD`, replacing a test the loop already
made), nothing more; a font program is parsed on the first glyph of that
font that needs it, once per document, and each glyph's text is cached.

A glyph the font cannot map either is dropped and counted by the engine
(``unmapped_glyphs``) when its text holds U+FFFD or a private-use character
(:data:`LOST`), so those never reach a block; one that only holds a control
character is left to :func:`pdfclean.script.fix_control_chars`, which removes
and counts it.
"""

from .tables import (  # noqa: F401
    TATWEEL, LOST, SUSPECT, _odd_table, ODD, suspect, usable, _arabic_names, _ARABIC, _UNI, _U,
    _agl_to_unicode, _agl, _component, name_to_text,
)
from .sfnt import (  # noqa: F401
    _Sfnt, _point_flags, _flag_table, _REPEATS, _X_BYTES, _Y_SAME, _Y_MOVES, _Y_FORMAT, _Y_NEGATIVE,
    _SIGN, _ON_CURVE,
)
from .program import (  # noqa: F401
    _rank, _quiet_fonttools, FontText,
)
from .repairs import (  # noqa: F401
    _PLACEHOLDER, _CID, _strip_subset, _Repairs,
)
from .mupdf import (  # noqa: F401
    _UNREAD, MuPDFFonts, MuPDFPage, repair_trace,
)
from .pdfminer import (  # noqa: F401
    PdfMinerFonts, strip,
)
