#!/usr/bin/env bash
# HTTP benchmarks with wrk on loopback (issue 11 items 3 and 4; docs/PERFORMANCE.md#http and #durable-writes).
# Starts the real `rectify serve` on a generated data set (bench/generate.hpp through rectify_bench_load, SQLite
# WAL, the store's own settings), logs in through POST /api/v1/session, takes an API token through
# POST /api/v1/tokens, and runs `wrk -t2 -c64 -dDs --latency` against, in every repeat (targets interleaved so
# load from other users of the machine spreads over all of them):
#   nginx     nginx serving a 50-byte static file on loopback (2 workers, no access log): the ceiling
#   constant  GET /healthz?constant=1 on rectify: the router, the route's wrapper and handler, the security
#             headers and the access log line, answered with a constant 400 (the handler refuses any query
#             before it touches the store) — the constant-answer handler of the same server
#   healthz   GET /healthz: as above, plus one read of the schema version on a pooled reader connection
#   problem   GET /api/v1/problems/{id} (ProblemDetail) with the token
#   list      GET /api/v1/problems?org_id=CHILD&status=registered,in_progress&limit=25 (one filtered page of
#             the subtree of the root's child with the most such problems: a county at city scale); the root's
#             own page is timed with curl alone (median of 3 time_total), as it takes 0.5-0.9 s at city scale
#   stats     GET /api/v1/orgs/ROOT/stats (the whole data set's subtree figures: the roll-up, side-figures and
#             task indexes, plus the store reads of the token, the org and the category catalogue)
#   report    POST /api/v1/tasks/{id}/reports, a valid progress report, round-robin over 64 started tasks
# and then the durable writes (item 4): POST /api/v1/problems with 1, 8 and 64 connections (wrk -c1 -t1, -c8 -t2,
# -c64 -t2), owners spread over the tree, each a separate request the server answers after its commit.
# wrk waits up to 120 s for an answer (--timeout 120s: a slow page must not count as a socket error). A read
# target whose single request (curl, before the runs) takes a second or more is run with 2 connections (one per
# server thread) instead of 64, for at least 4 times that request's time, so that its requests finish within the
# run (before the side-figures and task indexes, /stats of the province root took seconds); the table's "conns"
# column says which.
# Every wrk run must report 0 non-2xx answers and 0 socket errors for its target (the constant target's answers
# are all 400 by design); otherwise the script stops. Prints each run and a table of medians over the repeats
# (req/s, p50 and p99 latency in ms, ratio of req/s to the constant handler and to nginx), and after the writes
# the problems counted in the database against their create events, the 201 answers wrk counted and the
# root's figures from the roll-up index (any disagreement stops the script).
#
# With --pg=URL (a PostgreSQL 15 server whose user may CREATE DATABASE, e.g. $RECTIFY_TEST_PG of
# scripts/lib/test-postgres.sh) a second `rectify serve` runs on the same generated data in PostgreSQL (loaded
# once per scale and seed by rectify_bench_load through COPY into database rectify_http_bench_SCALE_sSEED,
# copied for each run with CREATE DATABASE ... TEMPLATE), and every repeat also runs the reads against it:
# pg-healthz, pg-problem, pg-list, pg-stats (same ids and org, same token flow), and with the writes pg-create
# right after each create run (the same creations through the PostgreSQL server, checked the same way).
#
# Usage: bench/http_bench.sh BUILD_DIR [--scale=county|city|province] [--seed=N] [--duration=SECONDS]
#                             [--repeats=N] [--threads=N] [--only=reads|writes] [--keep=DIR] [--data=sample]
#                             [--pg=URL] [--token-cache-seconds=N]
#   BUILD_DIR holds src/app/rectify and bench/rectify_bench_load (scripts/bench http builds them in build/bench).
#   Defaults: city scale (23,720 orgs, 237,200 problems), seed 1, 10 s per run, 3 repeats, 2 server threads.
#   The generated file is kept in ${TMPDIR:-/tmp}/rectify-http-bench-SCALE-sSEED.db and copied for each run.
#   --data=sample: the real sample data of scripts/load-sample-data instead (2,193 orgs, 835 closed problems;
#   the list page filters status=closed); needs only src/app/rectify. The smoke run of scripts/test uses it.
#   --token-cache-seconds=N is passed to both servers' `serve` (default: serve's, 10; 0 reads the token on
#   every request, as before the token cache: the cache's effect is the difference of two runs).
#   wrk and nginx-light are installed with apt-get when missing (as root, as scripts/install-deps does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:?usage: bench/http_bench.sh BUILD_DIR [flags]}")
shift
scale=city seed=1 duration=10 repeats=3 threads=2 only=all keep= data=generated pg= serve_extra=()
for a in "$@"; do
  case $a in
    --scale=*) scale=${a#*=} ;;
    --seed=*) seed=${a#*=} ;;
    --duration=*) duration=${a#*=} ;;
    --repeats=*) repeats=${a#*=} ;;
    --threads=*) threads=${a#*=} ;;
    --only=reads | --only=writes) only=${a#*=} ;;
    --keep=*) keep=${a#*=} ;;
    --data=sample) data=sample ;;
    --pg=*) pg=${a#*=} ;;
    --token-cache-seconds=*) serve_extra=(--token-cache-seconds "${a#*=}") ;;
    *) echo "http_bench: unknown argument \"$a\" (see the usage at the top of bench/http_bench.sh)" >&2; exit 2 ;;
  esac
done
bin=$build/src/app/rectify
loader=$build/bench/rectify_bench_load
[[ $data == sample ]] && loader=$bin
if [[ -n $pg && $data == sample ]]; then echo "http_bench: --pg needs generated data, not --data=sample" >&2; exit 2; fi
for f in "$bin" "$loader"; do [[ -x $f ]] || { echo "http_bench: $f is missing (scripts/bench http builds it)" >&2; exit 1; }; done

# wrk and nginx, as the project's scripts install everything (docs/ARCHITECTURE.md#toolchain).
need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then echo "http_bench: install ${need[*]} (apt-get, as root)" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

dir=$(mktemp -d)
server= nginx_pid= pg_server= pg_run=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [[ -n $pg_server ]] && kill "$pg_server" 2>/dev/null && wait "$pg_server" 2>/dev/null
  [[ -n $pg_run ]] && psql "$pg" -qAtc "DROP DATABASE IF EXISTS $pg_run WITH (FORCE)" >/dev/null 2>&1
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null
  if [[ -n $keep ]]; then mkdir -p "$keep" && cp -r "$dir"/. "$keep"/; fi
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"

# ---- data: generated once per scale and seed, copied for every run (the writes change it) ----
db=$dir/r.db
list_status=registered,in_progress
if [[ $data == sample ]]; then
  "$root/scripts/load-sample-data" "$db" "$bin" >/dev/null
  list_status=closed what="the sample data (scripts/load-sample-data)"
else
  pristine=${TMPDIR:-/tmp}/rectify-http-bench-$scale-s$seed.db
  if [[ ! -f $pristine ]]; then
    "$loader" --scale="$scale" --seed="$seed" --db="$pristine.part"
    mv "$pristine.part" "$pristine"
  fi
  cp "$pristine" "$db"
  what="$scale scale, seed $seed"
fi
orgs=$(sqlite3 "$db" "SELECT COUNT(*) FROM org")
problems0=$(sqlite3 "$db" "SELECT COUNT(*) FROM problem")
echo "data: $what: $orgs orgs, $problems0 problems ($(du -m "$db" | cut -f1) MB)"

password="a password for the benchmark"
echo "$password" | "$bin" --db "$db" user add bench --org 1 --role admin --role clerk --password-stdin \
  --no-change-required >/dev/null
# Argon2id at a cheap setting: the login is not measured (one per run).
"$bin" --db "$db" --password-hash m=19456,t=2,p=1 serve --port 0 --threads "$threads" ${serve_extra[@]+"${serve_extra[@]}"} >server.out 2>server.err &
server=$!
for _ in $(seq 3000); do grep -q "listening on" server.out && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' server.out | head -1)
[[ -n $port ]] || { echo "http_bench: the server did not start:" >&2; cat server.err >&2; exit 1; }
base=http://127.0.0.1:$port

# ---- a session through the real API, then a token (sessions need X-CSRF-Token on POST) ----
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
login() {  # BASE -> prints an API token of user bench
  local csrf
  csrf=$(curl -sf -c jar -X POST "$1/api/v1/session" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"password\":\"$password\"}" | json_field csrf_token)
  curl -sf -b jar -X POST "$1/api/v1/tokens" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"name":"http bench"}' | json_field secret
}
token=$(login "$base")
[[ $token == rct_* ]] || { echo "http_bench: no API token from POST /api/v1/tokens" >&2; exit 1; }
auth="Authorization: Bearer $token"
api() { curl -sf -H "$auth" -H 'Content-Type: application/json' "$@"; }

# ---- the same data on PostgreSQL (--pg): loaded once, a copy per run, a second server ----
if [[ -n $pg ]]; then
  pristine_pg=rectify_http_bench_${scale}_s$seed
  pg_db() { echo "${pg%/*}/$1"; }
  if [[ -z $(psql "$pg" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$pristine_pg'") ]]; then
    psql "$pg" -qAtc "CREATE DATABASE ${pristine_pg}_part" >/dev/null
    "$loader" --scale="$scale" --seed="$seed" --db="$(pg_db "${pristine_pg}_part")"
    psql "$pg" -qAtc "ALTER DATABASE ${pristine_pg}_part RENAME TO $pristine_pg" >/dev/null
  fi
  pg_run=rectify_http_bench_run_$$
  psql "$pg" -qAtc "CREATE DATABASE $pg_run TEMPLATE $pristine_pg" >/dev/null
  pg_url=$(pg_db "$pg_run")
  pg_counts=$(psql "$pg_url" -qAtc "SELECT (SELECT COUNT(*) FROM org) || '|' || (SELECT COUNT(*) FROM problem)")
  [[ $pg_counts == "$orgs|$problems0" ]] || { echo "http_bench: PostgreSQL holds $pg_counts orgs|problems, SQLite $orgs|$problems0" >&2; exit 1; }
  echo "$password" | "$bin" --db "$pg_url" user add bench --org 1 --role admin --role clerk --password-stdin \
    --no-change-required >/dev/null
  "$bin" --db "$pg_url" --password-hash m=19456,t=2,p=1 serve --port 0 --threads "$threads" ${serve_extra[@]+"${serve_extra[@]}"} >pg_server.out 2>pg_server.err &
  pg_server=$!
  for _ in $(seq 3000); do grep -q "listening on" pg_server.out && break; sleep 0.1; done
  pg_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' pg_server.out | head -1)
  [[ -n $pg_port ]] || { echo "http_bench: the PostgreSQL server did not start:" >&2; cat pg_server.err >&2; exit 1; }
  pg_base=http://127.0.0.1:$pg_port
  pg_token=$(login "$pg_base")
  [[ $pg_token == rct_* ]] || { echo "http_bench: no API token from the PostgreSQL server" >&2; exit 1; }
  pg_auth="Authorization: Bearer $pg_token"
  echo "data on PostgreSQL: $pg_counts orgs|problems in $pg_run ($(psql "$pg_url" -qAtc "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
fi

# ---- nginx: the ceiling, a small static file on loopback ----
mkdir -p www ngx
printf '{"status":"ok","note":"a static file for the benchmark"}' >www/small.json
chmod 755 "$dir" www && chmod 644 www/small.json  # nginx's workers run as nobody
# A port below the ephemeral range (wrk's and curl's client ports come from there); another on a clash.
for attempt in $(seq 20); do
  nginx_port=$((20000 + RANDOM % 10000))
  cat >ngx/nginx.conf <<CONF
worker_processes 2;
pid $dir/ngx/nginx.pid;
error_log $dir/ngx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/ngx; proxy_temp_path $dir/ngx; fastcgi_temp_path $dir/ngx;
  uwsgi_temp_path $dir/ngx; scgi_temp_path $dir/ngx;
  default_type application/json;
  server { listen 127.0.0.1:$nginx_port; root $dir/www; }
}
CONF
  /usr/sbin/nginx -c "$dir/ngx/nginx.conf" -e "$dir/ngx/error.log" 2>/dev/null &
  nginx_pid=$!
  for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/small.json" && break
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$nginx_pid" 2>/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/small.json" && break
  kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
done
[[ -n $nginx_pid ]] || { echo "http_bench: nginx did not start:" >&2; cat ngx/error.log >&2; exit 1; }

# ---- what the reads and the progress reports ask for ----
problem_id=$(sqlite3 "$db" "SELECT id FROM problem ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM problem)")
# The list page of the root's child with the most problems in its subtree (a county of a city); the root's own
# page is timed with curl below (at city scale it takes about half a second alone).
in_list=$(printf "'%s'" "$list_status" | sed "s/,/','/g")
list_org=$(sqlite3 "$db" "SELECT CAST(substr(o.path, 4, instr(substr(o.path, 4), '/') - 1) AS INTEGER) AS child
  FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE o.path LIKE '/1/%/%' AND p.status IN ($in_list)
  GROUP BY child ORDER BY COUNT(*) DESC, child LIMIT 1")
list_path="/api/v1/problems?org_id=$list_org&status=$list_status&limit=25"
root_list="/api/v1/problems?org_id=1&status=$list_status&limit=25"
rows=$( (api "$base$list_path" || true) | grep -o '"owner_name"' | wc -l)
[[ $rows == 25 ]] || { echo "http_bench: the list page has $rows rows, not 25" >&2; exit 1; }
api -o /dev/null "$base/api/v1/problems/$problem_id"
api -o /dev/null "$base/api/v1/orgs/1/stats"
if [[ -n $pg ]]; then
  pg_rows=$( (curl -sf -H "$pg_auth" "$pg_base$list_path" || true) | grep -o '"owner_name"' | wc -l)
  [[ $pg_rows == 25 ]] || { echo "http_bench: the PostgreSQL list page has $pg_rows rows, not 25" >&2; exit 1; }
  # The same problem and the same figures from both servers (the data sets are equal: tests/bench).
  for path in "/api/v1/problems/$problem_id" /api/v1/orgs/1/stats; do
    a=$(api "$base$path" | sed 's/^{"at":"[^"]*",/{/') b=$(curl -sf -H "$pg_auth" "$pg_base$path" | sed 's/^{"at":"[^"]*",/{/')
    [[ $a == "$b" ]] || { echo "http_bench: $path differs between SQLite and PostgreSQL:" >&2; echo "$a" >&2; echo "$b" >&2; exit 1; }
  done
fi
# 64 tasks in progress, each on its own new problem of a leaf org, to report on round-robin.
leaf=$(sqlite3 "$db" "SELECT MAX(id) FROM org")
tasks=()
for i in $(seq 64); do
  p=$(api -X POST "$base/api/v1/problems" -d "{\"title\":\"基准测试问题 $i\",\"owner_org_id\":$leaf}" | \
    sed -n 's/.*"id":\([0-9]*\),"merged_into_id".*/\1/p')
  t=$(api -X POST "$base/api/v1/problems/$p/tasks" -H 'If-Match: "1"' -d "{\"org_id\":$leaf,\"title\":\"整改措施 $i\",\
\"responsible_person\":\"张三\",\"type\":\"time_bound\",\"due_at\":\"2030-01-01\"}" | sed -n 's/.*"id":\([0-9]*\),"lead_official".*/\1/p')
  api -o /dev/null -X POST "$base/api/v1/tasks/$t/start" -H 'If-Match: "1"'
  tasks+=("$t")
done
api -o /dev/null -X POST "$base/api/v1/tasks/${tasks[0]}/reports" -d '{"text":"已清理路面并复查","percent":60}'
cat >report.lua <<'LUA'
-- POST /api/v1/tasks/{id}/reports round-robin over the started tasks in BENCH_TASKS.
local tasks = {}
for id in string.gmatch(os.getenv("BENCH_TASKS"), "%d+") do tasks[#tasks + 1] = id end
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json"}
local body = '{"text":"已清理路面并复查，群众反映的问题已解决","percent":60}'
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/v1/tasks/" .. tasks[(i % #tasks) + 1] .. "/reports", headers, body)
end
LUA
cat >create.lua <<'LUA'
-- POST /api/v1/problems: a new problem each time, owners spread over the BENCH_ORGS orgs by a stride.
local orgs = tonumber(os.getenv("BENCH_ORGS"))
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json"}
local i = 0
local salt = math.random(1, 1000000)
request = function()
  i = i + 1
  local owner = 1 + ((i * 7919 + salt) % orgs)
  local body = '{"title":"路灯不亮 ' .. salt .. '-' .. i .. '","owner_org_id":' .. owner ..
               ',"description":"小区门口路灯连续三晚不亮","source":"public_opinion"}'
  return wrk.format("POST", "/api/v1/problems", headers, body)
end
LUA
export BENCH_TOKEN=$token BENCH_TASKS="${tasks[*]}" BENCH_ORGS=$orgs

# ---- one wrk run: prints "NAME conns req/s p50_ms p99_ms non2xx errors requests" ----
ms() {  # wrk latency (e.g. 812.00us, 3.41ms, 1.02s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000;
                         printf "%.3f", n }'
}
run() {  # NAME EXPECT(2xx|400) CONNS THREADS URL [wrk args...]
  local name=$1 expect=$2 conns=$3 wthreads=$4 url=$5
  shift 5
  wrk -t"$wthreads" -c"$conns" -d"${durs[$name]:-$duration}s" --timeout 120s --latency "$@" "$url" >wrk.out 2>&1 || { cat wrk.out >&2; exit 1; }
  local rps p50 p99 non2xx errors requests
  rps=$(awk '/^Requests\/sec:/ { print $2 }' wrk.out)
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' wrk.out)")
  p99=$(ms "$(awk '$1 == "99%" { print $2 }' wrk.out)")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' wrk.out)
  errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' wrk.out)
  requests=$(awk '/requests in/ { print $1 }' wrk.out)
  non2xx=${non2xx:-0} errors=${errors:-0}
  echo "$name $conns $rps $p50 $p99 $non2xx $errors $requests" | tee -a runs.txt
  # Requests wrk sent but stopped waiting for are still being answered: wait until both servers answer a
  # health check again, so the next target does not pay for this one's backlog.
  curl -sf -o /dev/null --max-time 600 "$base/healthz" || true
  if [[ -n $pg_server ]]; then curl -sf -o /dev/null --max-time 600 "$pg_base/healthz" || true; fi
  if [[ ${requests:-0} == 0 ]]; then
    echo "http_bench: $name: no answer in ${duration}s" >&2; tail -5 server.err >&2; exit 1
  fi
  if [[ $expect == 2xx && $non2xx != 0 ]] || [[ $expect == 400 && $non2xx != "$requests" ]] || [[ $errors != 0 ]]; then
    echo "http_bench: $name: $non2xx answers outside $expect, $errors socket errors of $requests requests" >&2
    cat wrk.out >&2
    tail -5 server.err >&2
    exit 1
  fi
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v n="$1" -v c="$2" -v k="$3" '$1 == n && $2 == c { print $k }' runs.txt | median; }

: >runs.txt
echo "machine load at the start: $(uptime)"
echo "name conns req/s p50_ms p99_ms non2xx socket_errors requests"
declare -A conns=() alone=() durs=()
time_once() {  # NAME URL AUTH: one request alone (curl time_total, s); 2 connections when it takes >= 1 s,
  # and then a run of at least 4 times that single request, so that each connection sees a few answers
  alone[$1]=$(curl -sf -o /dev/null -w '%{time_total}' -H "$3" "$2")
  conns[$1]=$(awk -v t="${alone[$1]}" 'BEGIN { print (t >= 1 ? 2 : 64) }')
  durs[$1]=$(awk -v t="${alone[$1]}" -v d="$duration" 'BEGIN { n = int(4 * t + 1); print (t >= 1 && n > d ? n : d) }')
}
if [[ $only != writes ]]; then
  time_once problem "$base/api/v1/problems/$problem_id" "$auth"
  time_once list "$base$list_path" "$auth"
  time_once stats "$base/api/v1/orgs/1/stats" "$auth"
  if [[ -n $pg ]]; then
    time_once pg-problem "$pg_base/api/v1/problems/$problem_id" "$pg_auth"
    time_once pg-list "$pg_base$list_path" "$pg_auth"
    time_once pg-stats "$pg_base/api/v1/orgs/1/stats" "$pg_auth"
  fi
  for r in $(seq "$repeats"); do
    run nginx 2xx 64 2 "http://127.0.0.1:$nginx_port/small.json"
    run constant 400 64 2 "$base/healthz?constant=1"
    run healthz 2xx 64 2 "$base/healthz"
    run problem 2xx "${conns[problem]}" 2 "$base/api/v1/problems/$problem_id" -H "$auth"
    run list 2xx "${conns[list]}" 2 "$base$list_path" -H "$auth"
    run stats 2xx "${conns[stats]}" 2 "$base/api/v1/orgs/1/stats" -H "$auth"
    run report 2xx 64 2 "$base/" -s report.lua
    if [[ -n $pg ]]; then
      run pg-healthz 2xx 64 2 "$pg_base/healthz"
      run pg-problem 2xx "${conns[pg-problem]}" 2 "$pg_base/api/v1/problems/$problem_id" -H "$pg_auth"
      run pg-list 2xx "${conns[pg-list]}" 2 "$pg_base$list_path" -H "$pg_auth"
      run pg-stats 2xx "${conns[pg-stats]}" 2 "$pg_base/api/v1/orgs/1/stats" -H "$pg_auth"
    fi
  done
  root_times=()
  for _ in 1 2 3; do root_times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "$auth" "$base$root_list")"); done
  const=$(col constant 64 3)
  ngx=$(col nginx 64 3)
  echo
  echo "list page of the root (org 1, $(sqlite3 "$db" "SELECT COUNT(*) FROM org") orgs), one client:" \
    "median $(printf '%s\n' "${root_times[@]}" | median) s of ${root_times[*]}; list target: org $list_org" \
    "($(sqlite3 "$db" "SELECT COUNT(*) FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE o.path LIKE \
      (SELECT path FROM org WHERE id = $list_org) || '%'") problems in its subtree)"
  echo "medians of $repeats runs, wrk -t2 -cCONNS -d${duration}s --latency, $what, server --threads $threads:"
  echo "| target | conns | one request alone, s | req/s | p50 ms | p99 ms | / constant | / nginx |"
  echo "|---|---|---|---|---|---|---|---|"
  targets=(nginx constant healthz problem list stats report)
  [[ -n $pg ]] && targets+=(pg-healthz pg-problem pg-list pg-stats)
  for n in "${targets[@]}"; do
    k=${conns[$n]:-64}
    rps=$(col "$n" "$k" 3)
    awk -v n="$n" -v k="$k" -v a="${alone[$n]:--}" -v r="$rps" -v p50="$(col "$n" "$k" 4)" -v p99="$(col "$n" "$k" 5)" -v c="$const" -v g="$ngx" \
      'BEGIN { printf "| %s | %d | %s | %.0f | %.2f | %.2f | %.4f | %.4f |\n", n, k, a, r, p50, p99, r / c, r / g }'
  done
fi
if [[ $only != reads ]]; then
  count_sql="SELECT (SELECT COUNT(*) FROM problem), (SELECT COUNT(*) FROM event WHERE entity = 'problem' AND action = 'create')"
  count() { sqlite3 "$db" "$count_sql"; }
  pg_count() { psql "$pg_url" -qAt -F'|' -c "$count_sql"; }
  IFS='|' read -r problems_before events_before <<<"$(count)"
  if [[ -n $pg ]]; then IFS='|' read -r pg_problems_before pg_events_before <<<"$(pg_count)"; fi
  answered=0 pg_answered=0
  for r in $(seq "$repeats"); do
    for c in 1 8 64; do
      run create 2xx "$c" $((c == 1 ? 1 : 2)) "$base/" -s create.lua
      answered=$((answered + $(awk 'END { print $8 }' runs.txt)))
      # --pg: the same creations through the server on PostgreSQL (its own token), right after
      if [[ -n $pg ]]; then
        BENCH_TOKEN=$pg_token run pg-create 2xx "$c" $((c == 1 ? 1 : 2)) "$pg_base/" -s create.lua
        pg_answered=$((pg_answered + $(awk 'END { print $8 }' runs.txt)))
      fi
    done
  done
  sleep 2  # requests in flight when wrk stopped still finish
  IFS='|' read -r problems_after events_after <<<"$(count)"
  stored=$((problems_after - problems_before)) logged=$((events_after - events_before))
  echo
  echo "durable writes: POST /api/v1/problems, medians of $repeats runs of ${duration}s, SQLite WAL with the store's" \
    "settings (synchronous=NORMAL, one BEGIN IMMEDIATE ... COMMIT per request):"
  echo "| clients | creations/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  for c in 1 8 64; do
    awk -v c="$c" -v r="$(col create "$c" 3)" -v p50="$(col create "$c" 4)" -v p99="$(col create "$c" 5)" \
      'BEGIN { printf "| %d | %.0f | %.2f | %.2f |\n", c, r, p50, p99 }'
  done
  if [[ -n $pg ]]; then
    echo "the same through the server on PostgreSQL (READ COMMITTED, the writer's advisory lock, one transaction per request):"
    echo "| clients | creations/s | p50 ms | p99 ms | PostgreSQL / SQLite |"
    echo "|---|---|---|---|---|"
    for c in 1 8 64; do
      awk -v c="$c" -v r="$(col pg-create "$c" 3)" -v p50="$(col pg-create "$c" 4)" -v p99="$(col pg-create "$c" 5)" \
        -v s="$(col create "$c" 3)" 'BEGIN { printf "| %d | %.0f | %.2f | %.2f | %.2f |\n", c, r, p50, p99, r / s }'
    done
    IFS='|' read -r pg_problems_after pg_events_after <<<"$(pg_count)"
    pg_stored=$((pg_problems_after - pg_problems_before)) pg_logged=$((pg_events_after - pg_events_before))
    echo "PostgreSQL: problems stored $pg_stored, their create events $pg_logged, 201 answers counted by wrk $pg_answered"
    ((pg_stored == pg_logged && pg_stored >= pg_answered)) ||
      { echo "http_bench: PostgreSQL: stored, logged and answered do not agree" >&2; exit 1; }
    pg_indexed=$(curl -sf -H "$pg_auth" "$pg_base/api/v1/orgs/1/stats" |
      sed -n 's/.*"p90_days_to_close":[^,]*,"problems":\([0-9]*\).*/\1/p')
    echo "PostgreSQL: problems in the root's figures $pg_indexed; in the problem table $pg_problems_after"
    [[ $pg_indexed == "$pg_problems_after" ]] || { echo "http_bench: PostgreSQL: the index does not count every stored problem" >&2; exit 1; }
  fi
  echo "problems stored during the writes: $stored, their create events: $logged; 201 answers counted by wrk:" \
    "$answered (the rest were in flight when wrk stopped)"
  ((stored == logged && stored >= answered)) || { echo "http_bench: stored, logged and answered do not agree" >&2; exit 1; }
  # The roll-up index was updated by every commit: the root's figures count every stored problem.
  indexed=$(api "$base/api/v1/orgs/1/stats" | sed -n 's/.*"p90_days_to_close":[^,]*,"problems":\([0-9]*\).*/\1/p')
  echo "problems in the root's figures (the roll-up index): $indexed; in the problem table: $problems_after"
  [[ $indexed == "$problems_after" ]] || { echo "http_bench: the index does not count every stored problem" >&2; exit 1; }
fi
echo "machine load at the end: $(uptime)"
