# pdfclean — two commands set everything up on a fresh machine:
#   make run    install, then extract the bundled sample and print its JSON
#   make test   install (with system packages), then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := samples/pdfs/almanbar-iran-us-talks-libreoffice.pdf
JOBS   ?= 2

FUZZ_SECONDS ?= 300

.PHONY: run test install install-test system eval bench samples fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The kernel is built again once PyMuPDF is installed, with the MuPDF headers
# PyMuPDF ships, for its text device (setup.py): pip's isolated build of the
# first install cannot see them.
KERNEL  := pyproject.toml setup.py src/pdfclean/_kernel.c src/pdfclean/_marked.c src/pdfclean/_device.c
HEADERS := $(BIN)/python -c 'import importlib.util as u, os; \
	print(os.path.join(os.path.dirname(u.find_spec("pymupdf").origin), "mupdf-devel", "include"))'
WITH_DEVICE := PDFCLEAN_MUPDF_INCLUDE="$$($(HEADERS))" $(BIN)/pip install -q --no-deps -e .

$(VENV)/.installed: $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(WITH_DEVICE)
	touch $@

$(VENV)/.installed-test: $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,samples]'
	$(WITH_DEVICE)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

system:
	bash scripts/system-deps.sh

run: install
	$(BIN)/pdfclean extract $(SAMPLE)

test: system install-test  # system first: the install compiles the kernel with its gcc
	$(BIN)/python -m pytest -n $(JOBS)  # testpaths and --doctest-modules: pyproject.toml

eval: install
	$(BIN)/python -m pdfclean.eval samples/pdfs --details

bench: install-test
	$(BIN)/python benchmarks/run.py

fuzz: install-test
	$(BIN)/python tests/fuzz_target.py --seconds $(FUZZ_SECONDS)

samples: install-test system
	$(BIN)/python samples/generate.py --out samples/pdfs

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
