#!/usr/bin/env bash
# Times GET /api/v1/orgs/{A市}/hot-issues on the real 问政 messages (data/wenzheng: 1,973 with replies and
# 3,030 with likes, 2011-2020, one window over all of them) on SQLite: R answers computed (a different
# `limit` each time, so each is a cache miss) and R answers of one repeated query (cache hits after the
# first). Prints the medians of curl's time_total (seconds) and the clustered opinion count.
# Usage: bench/hot_issues_cache.sh RECTIFY_BIN [R]           (docs/PERFORMANCE.md#hot-issues-cache)
set -euo pipefail
bin=$(realpath "$1")
runs=${2:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
db=$dir/r.db
"$bin" --db "$db" init --categories "$root/data/categories/wenzheng_taxonomy.csv" >/dev/null
"$bin" --db "$db" import orgs "$root/data/orgs/wenzheng_city.csv" >/dev/null
"$bin" --db "$db" import opinions "$root/data/wenzheng/messages_with_replies.csv" --format wenzheng --org 西地省/A市 >/dev/null
"$bin" --db "$db" import opinions "$root/data/wenzheng/messages_with_votes.csv" --format wenzheng --org 西地省/A市 >/dev/null
echo "a password for bench" | "$bin" --db "$db" user add bench --org 1 --role admin --password-stdin --no-change-required >/dev/null
token=$("$bin" --db "$db" token create --user bench --name bench | sed -n 's/.*"secret": "\([^"]*\)".*/\1/p')
city=$(sqlite3 "$db" "SELECT id FROM org WHERE name = 'A市'")
"$bin" --db "$db" --password-hash m=19456,t=2,p=1 serve --port 0 >server.out 2>server.err &
server=$!
for _ in $(seq 200); do grep -q "listening on" server.out && break; sleep 0.05; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' server.out | head -1)
url="http://127.0.0.1:$port/api/v1/orgs/$city/hot-issues?from=2010-01-01T00:00:00%2B08:00&to=2021-01-01T00:00:00%2B08:00"
time_of() { curl -s -o answer.json -w '%{time_total}' -H "Authorization: Bearer $token" "$1"; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
miss=()
for i in $(seq "$runs"); do miss+=("$(time_of "$url&limit=$((10 + i))")"); done
opinions=$(sed -n 's/.*"opinions":\([0-9]*\).*/\1/p' answer.json)
time_of "$url&limit=10" >/dev/null
hit=()
for _ in $(seq "$runs"); do hit+=("$(time_of "$url&limit=10")"); done
echo "opinions=$opinions runs=$runs miss_median_s=$(median "${miss[@]}") hit_median_s=$(median "${hit[@]}") misses=${miss[*]} hits=${hit[*]}"
