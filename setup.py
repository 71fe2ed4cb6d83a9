"""The optional compiled kernel (src/pdfclean/_kernel.c: the glyph stage's per-glyph loops).

Everything else is in pyproject.toml. ``optional=True``: where no C compiler or
Python headers are at hand the build goes on without it and pdfclean runs its
Python loops instead, with identical output (tests/test_kernel.py).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pdfclean._kernel", ["src/pdfclean/_kernel.c"], optional=True,
                             extra_compile_args=["-O2"])])
