#!/usr/bin/env bash
# Bulk problem import (issue 11 item 5): `rectify import problems FILE.csv` of a generated ROWS-row CSV into a
# fresh SQLite database (one transaction: the problems and their hash-chained import events), for each given
# binary in turn, REPEATS times, alternating the binaries so that load from other processes hits them alike.
# Prints each run's wall time and, per binary, the median wall time and rows/s (wall time of the whole
# command: start, reading the CSV, checks, writes, commit, report).
#   bench/import_bench.sh ROWS REPEATS BIN [BIN...]
#   e.g. bench/import_bench.sh 100000 5 /tmp/rectify-before build/bench/src/app/rectify
set -euo pipefail
rows=$1 repeats=$2
shift 2
work=$(mktemp -d /tmp/rectify-import-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$rows" >"$work/p.csv" <<'PY'
import csv, sys
w = csv.writer(sys.stdout)
w.writerow(['title', 'created_at', 'description', 'owner_org_id', 'source_ref', 'due_at'])
for i in range(int(sys.argv[1])):
    w.writerow([f'问题 {i}', '2024-03-01 08:00:00', f'描述 {i}', 1, f'bench:{i}', '2024-06-01 08:00:00'])
PY
declare -A times
for ((r = 1; r <= repeats; r++)); do
  for bin in "$@"; do
    rm -f "$work"/b.db*
    "$bin" --db "$work/b.db" --blob-dir "$work/blobs" init >/dev/null
    start=$(date +%s.%N)
    "$bin" --db "$work/b.db" --blob-dir "$work/blobs" import problems "$work/p.csv" >"$work/out.txt"
    end=$(date +%s.%N)
    stored=$(sqlite3 "$work/b.db" "SELECT (SELECT COUNT(*) FROM problem WHERE source_ref LIKE 'bench:%') || ' ' || (SELECT COUNT(*) FROM event WHERE action = 'import')")
    if [[ $stored != "$rows $rows" ]]; then
      echo "import_bench: $bin stored problems/events '$stored', expected '$rows $rows'" >&2
      exit 1
    fi
    t=$(echo "$end - $start" | bc -l)
    printf 'run %d  %-50s %8.3f s\n' "$r" "$bin" "$t"
    times[$bin]+="$t "
  done
done
echo
printf '%-50s %10s %12s\n' binary "median s" "rows/s"
for bin in "$@"; do
  median=$(echo "${times[$bin]}" | tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  printf '%-50s %10.3f %12.0f\n' "$bin" "$median" "$(echo "$rows / $median" | bc -l)"
done
