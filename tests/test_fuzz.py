"""Fuzz smoke for CI: 2,000 mutated PDFs, 0 uncaught exceptions.

Longer runs: ``make fuzz FUZZ_SECONDS=600`` (random seed each run).
"""

import random

import pytest

from fuzz_target import TestOneInput, mutate, seeds

PARTS, PER_PART = 4, 500


@pytest.fixture(scope="module")
def corpus():
    return seeds()


@pytest.mark.parametrize("part", range(PARTS))
def test_mutated_pdfs_convert_or_fail_cleanly(corpus, part):
    rng = random.Random(part)
    for _ in range(PER_PART):
        TestOneInput(mutate(rng.choice(corpus), rng))  # raises on anything but PdfCleanError
