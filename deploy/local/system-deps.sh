#!/usr/bin/env bash
# System packages lexstream needs on a Debian machine (run as root; CI and `make up` call it).
# prometheus (2.42, with promtool) is the observability profile's metrics store (stack.sh);
# Debian's package would start its own daemon on 0.0.0.0:9090 where services may start, so
# the install runs under a policy-rc.d that forbids it (stack.sh runs it on loopback).
set -euo pipefail
PKGS=(
  python3 python3-venv make curl ca-certificates util-linux openjdk-17-jdk-headless maven
  libmagic1
  tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu
  tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-por
  libtesseract-dev libleptonica-dev pkg-config g++
  poppler-utils espeak-ng sox
  libreoffice-writer-nogui fonts-dejavu-core
  chromium chromium-driver
  unar libgl1 libglib2.0-0
  prometheus
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then echo "system packages present"; exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "missing system packages (install as root): ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
apt-get update -qq
policy=/usr/sbin/policy-rc.d
own_policy=""
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=yes
fi
rc=0
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
[[ -z $own_policy ]] || rm -f "$policy"
exit "$rc"
