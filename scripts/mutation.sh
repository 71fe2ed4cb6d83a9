#!/usr/bin/env bash
# Mutation check of the text-repair core (script, lines, dates, furniture) with mutmut.
#
#   bash scripts/mutation.sh                 # every mutant of the four modules
#   bash scripts/mutation.sh 'pdfclean.dates.*' 'pdfclean.script.x_fix_*'   # some (mutmut globs)
#
# mutmut mutates a copy: the repo is copied (src, tests, samples, pyproject) into
# $MUTATION_DIR (default /tmp/pdfclean-mutation) with a setup.cfg holding the
# [mutmut] section, so the work tree gets no mutants/ folder and no config.
# Each mutant runs only the tests of the chosen subset that call the mutated
# function (mutmut's coverage map), one process at a time (the machine has 2 cores).
# Afterwards: cd $MUTATION_DIR && mutmut results / mutmut show NAME.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
DIR=${MUTATION_DIR:-/tmp/pdfclean-mutation}
"$PY" -c "import mutmut" 2>/dev/null || "$PY" -m pip install -q "mutmut>=3.3"
mkdir -p "$DIR"
# fresh source and tests each time (mutmut's own cache in $DIR/mutants is kept between runs)
for d in src tests samples pyproject.toml; do rm -rf "${DIR:?}/$d"; cp -r "$ROOT/$d" "$DIR/$d"; done
find "$DIR/src" "$DIR/tests" -name __pycache__ -prune -exec rm -rf {} +
# the fast tests that exercise the four modules (seconds each). Left out:
# test_typing and test_overprint (whole samples, 10-30 s per mutant) and
# test_marked (a Typst compile in a fixture: mutmut does not count fixture
# time, so its mutants time out); tests/test_mutants_*.py cover their ground
# with hand-built glyphs and lines.
TESTS="tests/test_script.py tests/test_dates.py tests/test_reading_order.py tests/test_structure.py
tests/test_pieces.py"
for t in "$ROOT"/tests/test_mutants_*.py; do [ -e "$t" ] && TESTS="$TESTS tests/$(basename "$t")"; done
{
  echo "[mutmut]"
  echo "source_paths=src"
  echo "only_mutate="
  for m in script lines dates furniture; do echo "    src/pdfclean/$m.py"; done
  echo "also_copy="
  echo "    samples/"
  echo "timeout_multiplier=5.0"
  echo "timeout_constant=10.0"
  echo "pytest_add_cli_args="
  printf '    %s\n' -p no:cacheprovider -p no:xdist
  echo "pytest_add_cli_args_test_selection="
  for t in $TESTS; do echo "    $t"; done
} > "$DIR/setup.cfg"
cd "$DIR"
MUTMUT=$(dirname "$PY")/mutmut
"$MUTMUT" run --max-children 1 "$@" > mutmut-run.log 2>&1 || true
"$MUTMUT" results --all true > results.txt 2>&1 || "$MUTMUT" results > results.txt 2>&1 || true
"$PY" "$ROOT/scripts/mutation_summary.py" "$DIR"
