#!/usr/bin/env python3
"""Writes a result store for t0700: three kernels as the commands would have
stored them. good passes everything; bad has a stale base build, a patched
kernel that oopsed in the smoke boot, no dio run, and a debug kernel whose
boot hit a lockdep splat; slow is fine but its patched Test 2 is half as fast
as base and it has no debug results. Usage: report-store.py WORK SERIES"""
import json, os, sys

work, series = sys.argv[1], sys.argv[2]
name = os.path.basename(series.rstrip("/"))


def put(rel, obj):
    """rel under the store's per-series folders: ports/<series>/..., results/<series>/..."""
    top, rest = rel.split("/", 1)
    path = os.path.join(work, top, name, rest)
    obj["schema"] = 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def port(k, conflict=False):
    patches = [{"patch": 1, "prereq": True, "status": "clean", "subject": "prereq one", "hunks": []}]
    for n, st in enumerate(["clean", "fuzzy", "adapted", "already-present"], 1):
        patches.append({"patch": n, "prereq": False, "status": st, "subject": f"patch {n}",
                        "how": "hunk 1 dropped as asked in review" if st == "adapted" else None,
                        "hunks": [{"file": "fs/x.c", "hunk": 1, "strategy": "fuzzy" if st == "fuzzy" else "exact",
                                   "offset": 3, "fuzz": 1 if st == "fuzzy" else 0, "line": 10}]})
    if conflict:
        patches[-1]["status"] = "conflict"
    put(f"ports/{k}/port.json", {"kernel": k, "series": series, "branch": f"backport/s/{k}",
                                 "base": "b" * 40, "tip": "t" * 40, "rej": None,
                                 "source": "linux-source-6.1 6.1.192-3",
                                 "prereqs": [{"commit": "abc", "subject": "prereq one", "cited": "commit",
                                              "state": "ported", "evidence": "prereqs/0001.patch"}],
                                 "patches": patches})


def build(k, v, commit, warnings=()):
    put(f"results/{k}/{v}/build.json", {"kernel": k, "variant": v, "commit": commit, "cache_key": "build:x",
                                        "config": {"base": "tinyconfig", "fragments": [], "hash": "c" * 40},
                                        "image": f"/x/{k}/{v}/bzImage", "image_hash": f"img-{k}-{v}",
                                        "log": "build.log", "seconds": 60.0, "warnings": list(warnings),
                                        "ccache": {"hits": 9, "misses": 1, "hit_rate": 0.9},
                                        "checkpatch": [{"commit": commit, "subject": "patch 1", "errors": 0,
                                                        "warnings": 1, "checks": 0,
                                                        "lines": ["WARNING: line length of 101 exceeds 100 columns"]}]
                                        if v == "patched" else None})
    if v == "patched":
        put(f"results/{k}/patched/vendor-check.json", {"kernel": k, "base": "b" * 40, "patched": commit,
                                                       "vendor_config": "/usr/src/config.xz", "touched": ["fs/x.c"],
                                                       "base_warnings": [], "patched_warnings": [], "new_warnings": []})


LOCKDEP = {"kind": "lockdep", "verdict": "warn", "line": 733,
           "text": "WARNING: possible circular locking dependency detected",
           "trace": ["kb-dio-check/1234 is trying to acquire lock:", "ffff (&ei->i_data_sem){++++}-{3:3}, at: ext4_map_blocks+0x1a/0x30",
                     "but task is already holding lock:", "ffff (&sb->s_type->i_mutex_key#8){++++}-{3:3}, at: ext4_dio_write_iter",
                     "---[ end trace 0000000000000000 ]---"]}


def boot(k, v, workload, verdict="clean", result=None, runner=None, findings=None):
    b = {"kernel": k, "variant": v, "image_hash": f"img-{k}-{v}", "verdict": verdict,
         "workload": {"name": workload}, "workload_status": "done" if verdict in ("clean", "warn") else "unfinished",
         "accelerator": "tcg", "vcpus": 2, "boot": {"total_seconds": 9.5},
         "findings": findings if findings is not None else [] if verdict == "clean" else
         [{"kind": "oops", "verdict": "oops", "line": 412, "text": "Oops: general protection fault in ext4_x"}],
         "console": f"work/results/{name}/{k}/{v}/{workload}.console.log",
         "console_tail": None if verdict == "clean" else ["Oops: general protection fault", "Kernel panic"],
         "result": result}
    if runner:
        b["runner"] = runner
    put(f"results/{k}/{v}/{workload}.json", b)


def dio(k, v, iops, verdict="clean", findings=None):
    tests = [{"name": n, "status": "pass", "detail": d} for n, d in
             [("correctness-ext4", "128 cells, 0 mismatches"), ("nowait-table", "33 answers as in table"),
              ("bench-test1", "ok"), ("bench-test2", "ok")]]
    if v == "debug":
        tests = tests[:2] + [{"name": "bench-test1", "status": "skip", "detail": "DIO_BENCH=none"}]
    bench = {t: [{"jobs": j, "iops": f(j)} for j in (1, 2, 4, 8)] for t, f in iops.items()}
    boot(k, v, "dio", result={"workload": "dio", "tests": tests, "bench": bench,
                              "correctness_ext4": {"mismatch_runs": 0, "cells": 128},
                              "nowait": {"compared": 33, "mismatches": 0, "unrun": 0, "rows": [1, 2]}},
         runner="lava" if k == "good" and v == "patched" else None, verdict=verdict, findings=findings)


for k in ("good", "bad", "slow"):
    port(k)
    build(k, "base", "b" * 40 if k != "bad" else "0" * 40)
    build(k, "patched", "t" * 40)
    boot(k, "base", "smoke")
    boot(k, "patched", "smoke", verdict="oops" if k == "bad" else "clean")
flat = lambda j: 100.0
scaled = lambda j: 100.0 * j
dio("good", "base", {"test1": flat, "test2": flat})
dio("good", "patched", {"test1": scaled, "test2": scaled})
dio("slow", "base", {"test1": flat, "test2": flat})
dio("slow", "patched", {"test1": scaled, "test2": lambda j: 50.0})
for k in ("good", "bad"):
    build(k, "debug", "t" * 40)
dio("good", "debug", {})
dio("bad", "debug", {}, verdict="warn", findings=[LOCKDEP])
