import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "pdfs"
REAL = Path(__file__).resolve().parent / "data" / "realpdfs"
SAMPLE_PDF = str(SAMPLES / "almanbar-iran-us-talks-libreoffice.pdf")
CORPUS = sorted(SAMPLES.glob("*.pdf")) + sorted(REAL.glob("*.pdf"))  # every sample and real PDF
# everything a Glyph holds, for the tests that compare the kernel's glyphs with Python's
GLYPH_SLOTS = ("text", "x0", "y0", "x1", "y1", "baseline", "size", "font", "bold", "seq", "conf", "n", "rightward",
               "artifact")

sys.path.insert(0, str(Path(__file__).resolve().parent))
