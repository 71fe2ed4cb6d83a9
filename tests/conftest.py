import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "pdfs"
REAL = Path(__file__).resolve().parent / "data" / "realpdfs"
SAMPLE_PDF = str(SAMPLES / "almanbar-iran-us-talks-libreoffice.pdf")

sys.path.insert(0, str(Path(__file__).resolve().parent))
