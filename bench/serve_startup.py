#!/usr/bin/env python3
# Server start-up time (issue 6: the index rebuild at start under 10 s; docs/PERFORMANCE.md#province-startup).
# Launches `rectify serve --port 0 --threads 2` on DB (a SQLite file or a postgresql:// URL) N times, one after
# the other, and prints for each the wall time from the launch until its stdout says "listening on" (the roll-up,
# side-figures and task indexes are built before it listens), its CPU time so far, and its peak and current RSS
# then (VmHWM, VmRSS of /proc/PID/status); then stops it with SIGTERM. The database should already hold a user
# (e.g. `rectify user add`), so that start-up does not create and hash a first admin's password.
# Usage: bench/serve_startup.py BIN DB [N=3]
import os
import signal
import subprocess
import sys
import time

if len(sys.argv) not in (3, 4):
    sys.exit("usage: bench/serve_startup.py BIN DB [N=3]")
binary, db = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) == 4 else 3
tick = os.sysconf("SC_CLK_TCK")
for i in range(n):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--db", db, "--password-hash", "m=19456,t=2,p=1", "serve", "--port", "0",
                          "--threads", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = ""
    while True:
        line = p.stdout.readline()
        if not line or "listening on" in line:
            break
    wall = time.monotonic() - t0
    if "listening on" not in line:
        sys.exit(f"serve_startup: the server exited with {p.wait()} before listening")
    status = {}
    with open(f"/proc/{p.pid}/status") as f:
        for row in f:
            key, _, value = row.partition(":")
            status[key] = value.strip()
    with open(f"/proc/{p.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    user, system = int(fields[11]) / tick, int(fields[12]) / tick
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"start {i + 1}: {wall:.2f} s to listening; CPU user {user:.2f} s + sys {system:.2f} s; "
          f"VmHWM {status['VmHWM']}, VmRSS {status['VmRSS']}; load average {load}", flush=True)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)
