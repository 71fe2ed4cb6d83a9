"""The optional compiled kernel (src/pdfclean/_kernel.c: the glyph stage's per-glyph loops).

Everything else is in pyproject.toml. ``optional=True``: where no C compiler or
Python headers are at hand the build goes on without it and pdfclean runs its
Python loops instead, with identical output (tests/test_kernel.py).

With ``PDFCLEAN_MUPDF_INCLUDE`` naming MuPDF's headers (those PyMuPDF ships in
``pymupdf/mupdf-devel/include``; the Makefile sets it once PyMuPDF is
installed) the kernel also gets its MuPDF text device (``_device.c``), which
reads a page's glyphs as MuPDF draws it; without them the engine reads
PyMuPDF's text trace, with identical output (tests/test_device.py).
"""

import os

from setuptools import Extension, setup

include = os.environ.get("PDFCLEAN_MUPDF_INCLUDE", "")
mupdf = os.path.isfile(os.path.join(include, "mupdf", "fitz.h"))
setup(ext_modules=[Extension("pdfclean._kernel", ["src/pdfclean/_kernel.c"], optional=True,
                             depends=["src/pdfclean/_marked.c", "src/pdfclean/_device.c"],
                             include_dirs=[include] if mupdf else [],
                             define_macros=[("PDFCLEAN_MUPDF", "1")] if mupdf else [],
                             extra_compile_args=["-O2", "-ffp-contract=off"])])
