#!/usr/bin/env bash
# Install the Debian packages pdfclean's tests and sample generator need,
# only those missing. Used by `make test` and `.ci/run`; never assumed.
set -euo pipefail
PKGS=(
  gcc libc6-dev              # the compiled kernel (src/pdfclean/_kernel.c; the Python headers come with Python)
  libreoffice-writer-nogui   # samples: .docx -> PDF
  chromium                   # samples: HTML -> PDF; review report browser test
  fonts-hosny-amiri          # Amiri (Arabic)
  fonts-noto-core            # Noto Naskh Arabic, Noto Sans Arabic, Noto Serif/Sans
  fonts-farsiweb             # Persian fonts for running titles
  fonts-kacst                # KacstBook (Arabic body font of some samples)
  ghostscript                # samples: the libreoffice PDFs re-distilled (pdfwrite)
  libpango-1.0-0 libpangoft2-1.0-0   # WeasyPrint (samples: HTML -> PDF)
  poppler-utils              # pdftotext/pdftoppm: baselines, page images
  tesseract-ocr tesseract-ocr-ara tesseract-ocr-fas   # OCR
)
missing=()
for p in "${PKGS[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"; exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
