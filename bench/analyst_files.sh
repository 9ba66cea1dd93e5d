#!/usr/bin/env bash
# The analyst's files at scale: N simulated responses (default 100,000; 65+
# at half their share) exported sealed and opened with the council's key,
# then the consultation report (PDF and HTML), the Excel workbook and the
# SPSS file written from them, each timed with its peak memory (GNU time).
# The reference, in the same run: gnumeric's ssconvert writing the same
# responses.csv as an .xlsx, and PSPP reading it and saving a .sav.
#   bench/analyst_files.sh BUILD_DIR [RESPONSES] [WORK_DIR]
# Targets (issue 18): report <= 10 s, memory <= 256 MB.
set -euo pipefail
build=$(realpath "${1:?usage: analyst_files.sh BUILD_DIR [RESPONSES] [WORK_DIR]}")
n=${2:-100000}
work=$(realpath -m "${3:-$build/bench-analyst}")
src=$(cd "$(dirname "$0")/.." && pwd)
admin=$build/app/kiosk-admin
hub=$build/sync/hub/kiosk-hub
rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$hub" keygen --key-dir keys >/dev/null
current=$(tr -d '\n' <keys/current)
cp -r "$src/kiosk-config" cfg
sed -i "s#^database *=.*#database = \"$work/k.db\"#; s#^public_key_file *=.*#public_key_file = \"$work/keys/${current%.key}.pub\"#" cfg/kiosk.toml
echo "simulating $n responses..."
"$admin" simulate --responses "$n" --seed 3 --skew q20.65_plus=0.5 --config cfg/kiosk.toml
"$admin" export --out usb --config cfg/kiosk.toml >/dev/null
"$admin" open --key "keys/$current" usb --out opened >/dev/null 2>&1
echo "opened: $(wc -l <opened/responses.jsonl) responses, $(du -h opened/responses.jsonl | cut -f1) of JSON Lines"

measure() {  # NAME COMMAND...: seconds and peak resident memory
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o time.txt "$@" >/dev/null 2>cmd.err || {
    cat cmd.err >&2
    echo "$name failed" >&2
    exit 1
  }
  read -r secs kb <time.txt
  printf '  %-44s %7.2f s   peak %6.1f MB\n' "$name" "$secs" "$(echo "$kb / 1024" | bc -l)"
  echo "$secs" >"last.secs"
}

echo "kiosk-admin on $n opened responses:"
measure "report (PDF and HTML)" "$admin" report opened --pdf report.pdf --html report.html --config cfg/kiosk.toml
measure "report (PDF only)" "$admin" report opened --pdf report.pdf --config cfg/kiosk.toml
echo "    $(pdfinfo report.pdf | sed -n 's/^Pages: *//p') pages, $(du -h report.pdf | cut -f1); HTML $(du -h report.html | cut -f1)"
measure "workbook (.xlsx, weighted, with charts)" "$admin" workbook opened --out r.xlsx --config cfg/kiosk.toml
ours_xlsx=$(cat last.secs)
measure "spss (.sav, weighted)" "$admin" spss opened --out r.sav --config cfg/kiosk.toml
ours_sav=$(cat last.secs)
echo "reference, the same responses.csv:"
measure "ssconvert responses.csv -> .xlsx" ssconvert opened/responses.csv ref.xlsx
ref_xlsx=$(cat last.secs)
cat >ref.sps <<EOF
GET DATA /TYPE=TXT /FILE='$work/opened/responses.csv' /ENCODING='UTF-8' /DELCASE=LINE /DELIMITERS="," /QUALIFIER='"' /FIRSTCASE=2 /VARIABLES=$(head -1 opened/responses.csv | tr -d '\r\357\273\277' | tr ',' '\n' | head -40 | sed 's/$/ A200/' | tr '\n' ' ').
SAVE OUTFILE='$work/ref.sav'.
EOF
measure "pspp reads 40 columns of it, saves a .sav" pspp ref.sps
ref_sav=$(cat last.secs)
printf 'ratios: workbook / ssconvert %.2f; spss / pspp %.2f\n' "$(echo "$ours_xlsx / $ref_xlsx" | bc -l)" \
  "$(echo "$ours_sav / $ref_sav" | bc -l)"
