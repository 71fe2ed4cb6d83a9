"""OCR with Tesseract: a page image to word glyphs for the usual pipeline.

The pipeline calls this for the pages that need it (no text layer, a garbled
one, little text over an image; see :func:`pdfclean.pipeline.needs_ocr`)::

    doc = open_document(data, password)       # OcrUnavailable: no Tesseract
    res = ocr_page(doc, 3, "ara+fas+eng")    # OcrResult(glyphs, confidence, …)
    got = read_pages(doc, [1, 2, 3], jobs=2)  # {page: OcrResult or its error}, 2 at once

and rebuilds the page from ``res.glyphs`` through the same stages as a text
layer. How a page is read:

1. **Deskew** (:func:`estimate_skew`). The page is rendered small (100 dpi,
   grey), binarised (Otsu), and the angle within ±5° that makes the
   horizontal projection of the ink sharpest is found (a coarse, then a fine
   search). Tesseract's orientation detection is unreliable on Arabic; the
   projection profile is not.
2. **Render.** The page is rendered again *through a rotation by that angle*,
   so MuPDF resamples the scan (or draws the vector text) once, straight into
   an upright image. Very large pages get a lower resolution so that an image
   stays under 40 megapixels; one page is in memory at a time.
3. **Read** (:func:`read_page`). ``tesseract`` runs as a subprocess (no
   shell, one thread, a timeout) and returns hOCR: lines with their baseline,
   words with box, confidence and text. Tesseract 4/5 (LSTM) gives every word
   in logical order; pdfclean never reverses it. One reading is not enough:

   * With several languages Tesseract reads a line in the first and retries
     doubtful words in the others; with ``eng`` among them Arabic words come
     back as Latin garbage («في» → «fy»), and the Arabic model alone reads
     English as digit soup («COP29» → «00229») and Eastern digits badly. So a
     page with Arabic-script text is read with all the languages (at 200 dpi)
     and with the page's own right-to-left language (``ara`` or ``fas``, from
     the first reading; at 300 dpi), and the two are combined row by row and
     word by word (:func:`combine`, :func:`_better`). Two readings at two
     resolutions also rarely drop the same line: Tesseract's layout analysis
     sometimes loses a whole line of tight Arabic text.
   * Ink that no word covers, a line's worth, is read again on its own, the
     recognised words painted out (:func:`uncovered_rows`).
   * Words that may be English or numbers (Western digits, Latin words of
     middling confidence) are read again with the English model, their images
     stacked in one strip: «9060» → «60%», «2» → «2.» (:func:`reread_latin`).

   About four Tesseract runs and 3–4 s a page (A4, one core).
4. **Glyphs** (:func:`_glyphs`). Each word becomes one
   :class:`~pdfclean.model.Glyph` in the coordinates of the straightened page
   (PDF points, top-left origin): its x extent is the word's ink box, its
   baseline its line's. Its size and vertical extent are those of a font box,
   the same for all the words of a line: the size comes from how wide the
   line's characters are (Tesseract's word heights are unreliable) and is
   snapped to the page's body size or a few others, so that paragraph breaks
   and heading detection see what they see in a text layer. Bold comes from
   stroke width. A space glyph is put between neighbouring words, so word
   spaces do not depend on gaps. Specks and punctuation noise are dropped,
   and Tesseract's systematic misreadings corrected (:func:`fix_word`: Arabic
   comma read as «,» «ء» or «»», Persian letters and digits in Arabic text and
   the other way round, the nisba «ـى» for «ـي»; a list bullet read as «٠»).

Several pages of a document are read at once by :func:`read_pages`: one
thread per page being read, each driving its own Tesseract runs (one thread
each); only the MuPDF rendering is taken in turn (:data:`MUPDF_LOCK`). How
many at once is ``jobs``, or a :class:`Slots` that lends slots (``pdfclean
batch`` lends free ``--jobs`` slots); the result does not depend on it.

The coordinates are those of the *deskewed* page: the rotation is undone about
the page centre only as a whole (a translation), so lines stay horizontal, as
line building needs.

The package, one room per part (imports run one way, top to bottom)::

    common     settings, errors, OcrResult, the word read (_Word) and tests on words
    render     rendering upright at the scan's scale, light and contrast, deskew
    tesseract  availability, one Tesseract run, hOCR parsed into words
    triage     text drawn as outlines (a page with no text layer that needs OCR)
    fixes      Tesseract's systematic misreadings corrected
    glyphs     words to glyphs: lines, sizes, bold, specks and smears
    merge      the readings merged into one set of words, the English re-reading
    pages      ocr_page(), read_page(), read_pages() and Slots
"""

from .common import (ASCENT, BODY_SNAP, BOLD_RATIO, BOLD_RATIO_LARGE, CHAR_EM, DEFAULT_DPI, DEFAULT_LANG,
                     DESCENT, DESKEW_DPI, DIGITS_BONUS, DIGITS_OVER_ARABIC, FILL_CONF, FULL_DPI, GAP_EM,
                     GAP_INK, LARGE, LATIN_ALONE_CONF, LATIN_LANG, LATIN_MIN_CONF, LATIN_OVER_ARABIC,
                     MAX_PIXELS, MAX_REREAD, MAX_SKEW, MIN_SKEW, NOISE_CONF, OcrError, OcrResult,
                     OcrUnavailable, PSM, REREAD_ACCEPT, REREAD_CONF, ROW_COVER, RTL_BONUS, RTL_LANGS,
                     RTL_WINS_CONF, SAME_ROW, SIZE_SNAP, SMEAR_CONF, SMEAR_SIZE, SPECK_CONF, TESS_CONFIG,
                     TESSERACT, TIMEOUT)
from .render import (ASSUMED_DPI, DESKEW_PIXELS, LIGHT_BLOCK, LIGHT_UNEVEN, MAX_PAPER, MIN_COVER, MIN_DPI,
                     MUPDF_LOCK, PAPERS, PAPER_FIT, PREPROCESS, SCAN_DPIS, estimate_skew, even_light,
                     page_units, paper_dpi, preprocess, scan_density, skew_of, stretch_contrast)
from .tesseract import check, installed_languages, open_document, parse_hocr, tesseract_path
from .triage import (OUTLINE_AREA, OUTLINE_MAX_EM, OUTLINE_MIN_PATHS, OUTLINE_ROWS, outlined_pages,
                     outlined_text)
from .fixes import fix_word
from .glyphs import line_sizes, snap_sizes
from .merge import combine, reread_latin, uncovered_rows
from .pages import Slots, ocr_page, read_page, read_pages
from .common import _Word  # noqa: F401  (the tests use it)
from .render import _render  # noqa: F401  (the tests use it)
from .glyphs import _without_smears  # noqa: F401  (the tests use it)

__all__ = ["ASCENT", "BODY_SNAP", "BOLD_RATIO", "BOLD_RATIO_LARGE", "CHAR_EM", "DEFAULT_DPI", "DEFAULT_LANG",
           "DESCENT", "DESKEW_DPI", "DIGITS_BONUS", "DIGITS_OVER_ARABIC", "FILL_CONF", "FULL_DPI", "GAP_EM",
           "GAP_INK", "LARGE", "LATIN_ALONE_CONF", "LATIN_LANG", "LATIN_MIN_CONF", "LATIN_OVER_ARABIC",
           "MAX_PIXELS", "MAX_REREAD", "MAX_SKEW", "MIN_SKEW", "NOISE_CONF", "OcrError", "OcrResult",
           "OcrUnavailable", "PSM", "REREAD_ACCEPT", "REREAD_CONF", "ROW_COVER", "RTL_BONUS", "RTL_LANGS",
           "RTL_WINS_CONF", "SAME_ROW", "SIZE_SNAP", "SMEAR_CONF", "SMEAR_SIZE", "SPECK_CONF", "TESS_CONFIG",
           "TESSERACT", "TIMEOUT", "ASSUMED_DPI", "DESKEW_PIXELS", "LIGHT_BLOCK", "LIGHT_UNEVEN", "MAX_PAPER", "MIN_COVER",
           "MIN_DPI", "MUPDF_LOCK", "PAPERS", "PAPER_FIT", "PREPROCESS", "SCAN_DPIS", "estimate_skew",
           "even_light", "page_units", "paper_dpi", "preprocess", "scan_density", "skew_of",
           "stretch_contrast", "check", "installed_languages", "open_document", "parse_hocr",
           "tesseract_path", "OUTLINE_AREA", "OUTLINE_MAX_EM", "OUTLINE_MIN_PATHS", "OUTLINE_ROWS",
           "outlined_pages", "outlined_text", "fix_word", "line_sizes", "snap_sizes", "combine",
           "reread_latin", "uncovered_rows", "Slots", "ocr_page", "read_page", "read_pages"]
