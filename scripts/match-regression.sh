#!/usr/bin/env bash
# Compares what two kuromaru binaries answer on the same generated data: the
# `match` results (with and without an insurer directory, a CP932 roster, a
# fitted model), the fitted model file itself, and the counts `import` and
# `rematch` print. Use it to show that a change to the code around matching
# leaves the answers byte-identical:
#
#   scripts/match-regression.sh BASELINE_BINARY [CANDIDATE_BINARY]
#
# Numbers with a fraction or exponent are compared to within 1e-9 of their
# size (or 1e-15), everything else byte for byte: the matcher shares
# probability among persons by summing over a hash map whose order is seeded
# per process, so the last bits of a probability differ between two runs of
# the same binary.
#
# CANDIDATE defaults to build/services/kuromaru. The data is generated once by
# BASELINE into $DATA_DIR (default build/match-regression/data: seeds 3 and
# 11, 20,000 persons, 5,000 receipts each); BASELINE's answers are cached
# beside it. Exit 0 when every output is identical, 1 with the first
# difference otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:?usage: scripts/match-regression.sh BASELINE_BINARY [CANDIDATE_BINARY]}
candidate=${2:-build/services/kuromaru}
work=${WORK_DIR:-build/match-regression}
data=${DATA_DIR:-$work/data}
baseline=$(realpath "$baseline")
candidate=$(realpath "$candidate")
mkdir -p "$work" "$data"

gen() {  # seed, extra flags...
  local seed=$1 dir="$data/gen-s$1"
  shift
  if [ ! -s "$dir/receipts.jsonl" ]; then
    mkdir -p "$dir"
    "$baseline" gen --persons 20000 --receipts 5000 --seed "$seed" --out "$dir" \
      "$@" >/dev/null 2>&1
  fi
}
gen 3
gen 11 --cp932 --uke "$data/gen-s11/RECEIPTC.UKE"

# Runs every case with binary $1 into directory $2.
run_all() {
  local k=$1 out=$2 s3=$data/gen-s3 s11=$data/gen-s11
  mkdir -p "$out"
  rm -f "$out"/*.db*
  "$k" match --roster "$s3/roster.csv" --receipts "$s3/receipts.jsonl" \
    --out "$out/s3.jsonl" >/dev/null 2>&1
  "$k" match --roster "$s3/roster.csv" --directory "$s3/directory.csv" \
    --receipts "$s3/receipts.jsonl" --out "$out/s3-directory.jsonl" >/dev/null 2>&1
  "$k" match --roster "$s11/roster.csv" --directory "$s11/directory.csv" \
    --receipts "$s11/receipts.jsonl" --out "$out/s11-directory.jsonl" --threads 1 \
    >/dev/null 2>&1
  "$k" match --roster "$s11/roster-cp932.csv" --encoding cp932 \
    --receipts "$s11/receipts.jsonl" --out "$out/s11-cp932.jsonl" >/dev/null 2>&1
  "$k" model fit --roster "$s3/roster.csv" --receipts "$s3/receipts.jsonl" \
    --out "$out/s3.model" --sample 3000 >/dev/null 2>&1
  "$k" match --roster "$s3/roster.csv" --directory "$s3/directory.csv" \
    --model "$out/s3.model" --receipts "$s3/receipts.jsonl" \
    --out "$out/s3-model.jsonl" >/dev/null 2>&1
  # Intake, then a re-match under the fitted model. Timings are dropped.
  "$k" import --store "$out/s11.db" --roster "$s11/roster.csv" \
    --directory "$s11/directory.csv" --receipts "$s11/receipts.jsonl" 2>/dev/null |
    grep -v '^receipts ' >"$out/s11-import.txt" || true
  "$k" import --store "$out/s11-uke.db" --roster "$s11/roster.csv" \
    --uke "$s11/RECEIPTC.UKE" 2>/dev/null |
    grep -v '^receipts ' >"$out/s11-import-uke.txt" || true
  "$k" rematch --store "$out/s11.db" --roster "$s11/roster.csv" \
    --directory "$s11/directory.csv" --model "$out/s3.model" 2>/dev/null |
    grep -Ev '^(examined|resumed) ' >"$out/s11-rematch.txt" || true
  rm -f "$out"/*.db*
}

stamp=$(sha256sum "$baseline" | cut -c1-16)
if [ ! -s "$work/baseline-$stamp/s3.jsonl" ]; then
  echo "match-regression: baseline answers ($baseline)"
  run_all "$baseline" "$work/baseline-$stamp"
fi
echo "match-regression: candidate answers ($candidate)"
run_all "$candidate" "$work/candidate"

# Same bytes, or the same text with numbers equal within the tolerance;
# prints the first differing line.
same() {
  cmp -s "$1" "$2" && return 0
  /usr/bin/python3 - "$1" "$2" <<'PY'
import re, sys
num = re.compile(rb'-?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+|-?[0-9]+\.[0-9]+')
def close(x, y):
    x, y = float(x), float(y)
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y)) + 1e-15
def same_line(x, y):
    if num.sub(b'#', x) != num.sub(b'#', y):
        return False
    return all(close(p, q) for p, q in zip(num.findall(x), num.findall(y)))
with open(sys.argv[1], 'rb') as a, open(sys.argv[2], 'rb') as b:
    la, lb = a.read().split(b'\n'), b.read().split(b'\n')
if len(la) != len(lb):
    print('    %d lines against %d' % (len(la), len(lb)))
    sys.exit(1)
for i, (x, y) in enumerate(zip(la, lb)):
    if x != y and not same_line(x, y):
        print('    line %d differs' % (i + 1))
        sys.exit(1)
PY
}

status=0
for f in "$work/baseline-$stamp"/*; do
  name=$(basename "$f")
  if same "$f" "$work/candidate/$name"; then
    echo "  same       $name ($(wc -c <"$f") bytes)"
  else
    echo "  DIFFERENT  $name"
    status=1
  fi
done
exit $status
