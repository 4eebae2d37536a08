#!/usr/bin/env bash
# Ledger import throughput (issue 6, docs/PERFORMANCE.md#ledger-import): a 10,000-row CSV ledger through
# `rectify ledger import` on a fresh SQLite database — a dry run and a commit that register 10,000 problems
# with a task each, then the task list exported, every 整改进展 cell changed, and imported back (10,000
# progress reports, each starting its task: the round trip). Prints seconds and rows/s per step, median of
# $REPEATS runs (default 3). Usage: bench/ledger_import.sh BIN [ROWS]
set -euo pipefail
bin=$1
rows=${2:-10000}
repeats=${REPEATS:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
r() { "$bin" --db "$dir/b.db" --log-level warn "$@"; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A times
for rep in $(seq "$repeats"); do
  rm -f "$dir/b.db"*
  r init >/dev/null
  printf 'path,level\n福建省,province\n福建省/福州市,city\n福建省/福州市/鼓楼区,county\n' >"$dir/orgs.csv"
  r import orgs "$dir/orgs.csv" >/dev/null
  awk -v n="$rows" 'BEGIN {
    printf "\xef\xbb\xbf问题清单　基准\n序号,问题描述,问题来源,责任单位,整改措施,责任人,牵头领导,整改时限\n"
    for (i = 1; i <= n; i++) printf "%d,第%d号问题：河道巡查发现垃圾堆放,自查自纠,鼓楼区,清理垃圾并建立巡查制度,责任人%d,副区长,2031-%02d-%02d\n", i, i, i % 50, (i % 12) + 1, (i % 28) + 1
  }' >"$dir/new.csv"
  t0=$(now); r ledger import --dry-run "$dir/new.csv" >/dev/null; t1=$(now)
  times[dry]+="$(echo "$t1 - $t0" | bc) "
  t0=$(now); r ledger import "$dir/new.csv" >/dev/null; t1=$(now)
  times[commit]+="$(echo "$t1 - $t0" | bc) "
  r ledger export --list tasks --format csv --out "$dir/tasks.csv" >/dev/null
  sed -E 's/,0%,/,已清理完毕 60%,/' "$dir/tasks.csv" >"$dir/edited.csv"
  t0=$(now); r ledger import "$dir/edited.csv" >/dev/null; t1=$(now)
  times[update]+="$(echo "$t1 - $t0" | bc) "
  t0=$(now); r ledger import "$dir/edited.csv" >/dev/null; t1=$(now)
  times[again]+="$(echo "$t1 - $t0" | bc) "
done
for k in dry commit update again; do
  s=$(echo "${times[$k]}" | tr ' ' '\n' | grep -v '^$' | median)
  printf '%-7s %6.2f s  %8.0f rows/s\n' "$k" "$s" "$(echo "$rows / $s" | bc -l)"
done
