#!/usr/bin/env bash
# Runs `spaceport validate` on every Spacefile in DIR (files named Spacefile or *.Spacefile, recursively)
# and summarises: how many are valid, valid with warnings, or refused, with the problems of each refused one.
# The files are checked alone (--no-check-src): a corpus holds Spacefiles without the apps they describe.
# Not part of `npm test`; needs `npm run build` first.
set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
  echo "usage: $0 DIR   (a directory of Spacefiles)" >&2
  exit 2
fi
dir=$1
cli="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist/bin/spaceport.js"
if [[ ! -f $cli ]]; then
  echo "$0: $cli not found; run 'npm run build' first" >&2
  exit 2
fi

valid=0 warned=0 refused=0
refused_report=""
while IFS= read -r -d '' file; do
  if output=$(node "$cli" validate --no-check-src "$file" 2>&1); then
    if grep -q '^Warnings$' <<<"$output"; then
      warned=$((warned + 1))
      echo "WARN  $file"
      sed -n '/^Warnings$/,$p' <<<"$output" | tail -n +2 | sed 's/^/      /'
    else
      valid=$((valid + 1))
      echo "OK    $file"
    fi
  else
    refused=$((refused + 1))
    echo "FAIL  $file"
    sed 's/^/      /' <<<"$output"
    refused_report+="  $file"$'\n'
  fi
done < <(find "$dir" -type f \( -name Spacefile -o -name '*.Spacefile' \) -print0 | sort -z)

total=$((valid + warned + refused))
echo
echo "$total Spacefiles: $valid valid, $warned valid with warnings, $refused refused"
if [[ $refused -gt 0 ]]; then
  printf 'Refused:\n%s' "$refused_report"
  exit 1
fi
