"""pdfclean's version (a module of its own: the writers name it without importing the package)."""

__version__ = "0.1.0"
