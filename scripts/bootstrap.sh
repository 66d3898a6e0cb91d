#!/usr/bin/env bash
# Installs every Debian package that building, testing and running Shiksha-Setu needs.
# Idempotent and quiet when everything is already there. Debian 12 (bookworm), apt-get only.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git ca-certificates
  # libshiksha
  libsqlitecpp-dev libsqlite3-dev libsimdjson-dev libfmt-dev libsodium-dev libssl-dev libicu-dev
  # ingestion: PDF text, OCR (with the English and Hindi packs), vector index
  libpoppler-cpp-dev libtesseract-dev tesseract-ocr-eng tesseract-ocr-hin libhnswlib-dev
  # export: PDF writing, text shaping and subsetting, the Noto fonts for every script
  libpodofo-dev libharfbuzz-dev libfreetype-dev fonts-noto-core
  # tests compare against poppler's own tools (pdfinfo, pdftotext, pdftoppm, pdffonts),
  # check files with qpdf, and OCR rendered pages in the languages they test
  poppler-utils qpdf tesseract-ocr-ben tesseract-ocr-tam
  # server (Boost.Beast/Asio are header-only)
  libboost-dev
  # tests and the Python module (Debian's /usr/bin/python3, not a pyenv one)
  doctest-dev pybind11-dev python3-dev python3-pytest python3-numpy
  # shiksha.to_frame() and the notebook: pandas, a chart, a headless kernel to run it in tests
  python3-pandas python3-matplotlib python3-nbformat python3-nbclient python3-ipykernel
  # the API reference (cmake --build ... --target docs)
  doxygen
  # `pkg-config --static --libs shiksha` expands every private dependency, down to
  # leptonica's image formats (their -dev packages carry the .so links the linker needs)
  libopenjp2-7-dev libgif-dev libtiff-dev libwebp-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: run as root (or install sudo) to install packages" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done" >&2
