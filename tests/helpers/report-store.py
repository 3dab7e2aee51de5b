#!/usr/bin/env python3
"""Writes a result store for t0700: kernels as the commands would have
stored them. good passes everything; bad has a stale base build, a patched
kernel that oopsed in the smoke boot, no dio run, and a debug kernel whose
boot hit a lockdep splat; slow is fine but its patched Test 2 is half as fast
as base and it has no debug results. good, bad and slow are single-round
records of an older kbackport (no "round", no "host"). With bench rounds
(base, patched, base, patched): rounds agrees over two rounds and passes;
bound measured 13x at 8 jobs (base slowed), spread has rounds that disagree,
busy had a busy host in base round 2: all three disturbed. tick and fastdev
record an 8000 us device: tick's 8.33x passes (above 8 jobs, under the
8 x 125 IOPS the device allows over base's 84), fastdev's patched writes
faster than the device can: disturbed. posted carries a
local fix: its series as posted booted and showed the defect (evidence, not
a failure); postfail carries one too but its posted kernel panicked.
Usage: report-store.py WORK SERIES"""
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


LOCAL_FIX = "ext4: refuse a NOWAIT DIO write before any I/O unless all of it maps"


def port(k, conflict=False, local=False):
    patches = [{"patch": 1, "prereq": True, "status": "clean", "subject": "prereq one", "hunks": []}]
    for n, st in enumerate(["clean", "fuzzy", "adapted", "already-present"], 1):
        patches.append({"patch": n, "prereq": False, "status": st, "subject": f"patch {n}",
                        "how": "hunk 1 dropped as asked in review" if st == "adapted" else None,
                        "hunks": [{"file": "fs/x.c", "hunk": 1, "strategy": "fuzzy" if st == "fuzzy" else "exact",
                                   "offset": 3, "fuzz": 1 if st == "fuzzy" else 0, "line": 10}]})
    if conflict:
        patches[-1]["status"] = "conflict"
    if local:
        patches.append({"patch": 1, "prereq": False, "local": True, "status": "clean", "subject": LOCAL_FIX,
                        "commit": "f" * 40, "hunks": []})
    put(f"ports/{k}/port.json", {"kernel": k, "series": series, "branch": f"backport/s/{k}",
                                 "base": "b" * 40, "tip": "t" * 40, "posted": ("p" if local else "t") * 40,
                                 "rej": None,
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


def host(other_cpus=0.02):
    """A qemu boot's "host" record (tool/boot/qemu.c): busy above a quarter of a CPU."""
    busy = other_cpus > 0.25
    return {"wall_seconds": 150.0, "qemu_cpu_seconds": 280.0, "other_cpu_seconds": other_cpus * 150,
            "other_cpus": other_cpus, "steal_seconds": 0.0, "loadavg_start": 2.0, "loadavg_end": 2.0 + other_cpus,
            "nproc": 2, "busy": busy,
            "reason": f"other processes used {other_cpus:.2f} CPUs on average (nproc 2)" if busy else None}


def boot(k, v, workload, verdict="clean", result=None, runner=None, findings=None, round=None, host=None,
         status=None):
    b = {"kernel": k, "variant": v, "image_hash": f"img-{k}-{v}", "verdict": verdict,
         "workload": {"name": workload},
         "workload_status": status or ("done" if verdict in ("clean", "warn") else "unfinished"),
         "accelerator": "tcg", "vcpus": 2, "boot": {"total_seconds": 9.5},
         "findings": findings if findings is not None else [] if verdict == "clean" else
         [{"kind": "oops", "verdict": "oops", "line": 412, "text": "Oops: general protection fault in ext4_x"}],
         "console": f"work/results/{name}/{k}/{v}/{workload}.console.log",
         "console_tail": None if verdict == "clean" else ["Oops: general protection fault", "Kernel panic"],
         "result": result}
    if runner:
        b["runner"] = runner
    if round is not None:
        b["round"], b["host"] = round, host
    put(f"results/{k}/{v}/{workload}.json" if not round or round == 1 else
        f"results/{k}/{v}/{workload}.round-{round}.json", b)


# overwrite-hole as the series as posted answers it: 1/8's EAGAIN after the written part went out
HOLE = {"case": "overwrite-hole", "layout": "[W][H]", "write": "8192 bytes at 32768", "cache": "warm",
        "mtime": "fresh", "results": {"pwritev2-nowait": "eagain", "uring-nowait": "eagain", "uring": "error:EAGAIN"},
        "tries": {"pwritev2-nowait": 1, "uring-nowait": 1, "uring": 1},
        "eagain_written": {"pwritev2-nowait": 4096, "uring-nowait": 4096, "uring": 0}, "ambiguous": [], "data": "ok",
        "expect": {"pwritev2-nowait": "eagain", "uring-nowait": "eagain", "uring": "ok-punted"}, "match": False}
FINE = {"case": "overwrite-written", "layout": "[W][W]", "write": "8192 bytes at 32768", "cache": "warm",
        "mtime": "fresh", "results": {"pwritev2-nowait": "ok", "uring-nowait": "ok", "uring": "ok-inline"},
        "tries": {}, "eagain_written": {"pwritev2-nowait": 0, "uring-nowait": 0, "uring": 0}, "ambiguous": [],
        "data": "ok", "expect": {"pwritev2-nowait": "ok", "uring-nowait": "ok", "uring": "ok-inline"}, "match": True}


def dio(k, v, iops, verdict="clean", findings=None, round=None, host=None, cases=None, status=None, device=None):
    tests = [{"name": n, "status": "pass", "detail": d} for n, d in
             [("correctness-ext4", "128 cells, 0 mismatches"), ("nowait-table", "33 answers as in table"),
              ("bench-test1", "ok"), ("bench-test2", "ok")]]
    if v in ("debug", "posted"):
        tests = tests[:2] + [{"name": "bench-test1", "status": "skip", "detail": "DIO_BENCH=none"}]
    nowait = {"compared": 33, "mismatches": 0, "unrun": 0, "rows": [1, 2]}
    if cases is not None:
        bad = sum(1 for c in cases if c["match"] is False)
        nowait = {"compared": 3 * len(cases), "mismatches": bad, "unrun": 0, "data_errors": 0, "cases": cases}
        if bad:
            tests[1] = {"name": "nowait-table", "status": "fail",
                        "detail": f"{bad} of {3 * len(cases)} answers differ from /kb/expect/nowait-patched-{k}.json"}
    bench = {t: [{"jobs": j, "iops": f(j)} for j in (1, 2, 4, 8)] for t, f in iops.items()}
    result = {"workload": "dio", "tests": tests, "bench": bench,
              "correctness_ext4": {"mismatch_runs": 0, "cells": 128}, "nowait": nowait}
    if device:
        result["device"] = {"kind": "null_blk", "latency_us": device}
    boot(k, v, "dio", result=result,
         runner="lava" if k == "good" and v == "patched" else None, verdict=verdict, findings=findings,
         round=round, host=host, status=status)


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


# bench rounds: base and patched in turn, each round with its host record
def rounds(k, base, patched, busy=(), device=None):
    """base, patched: IOPS at 8 jobs per round (flat below); busy: (variant, round) of a busy host;
    device: the device's latency in us."""
    for r, (b, p) in enumerate(zip(base, patched), 1):
        for v, top in (("base", b), ("patched", p)):
            curve = lambda j, top=top: top * j / 8.0 if v == "patched" else top
            dio(k, v, {"test1": curve, "test2": curve}, round=r, host=host(1.31 if (v, r) in busy else 0.02),
                device=device)


for k in ("rounds", "bound", "spread", "busy", "tick", "fastdev", "posted", "postfail"):
    port(k, local=k.startswith("post"))
    build(k, "base", "b" * 40)
    build(k, "patched", "t" * 40)
    boot(k, "base", "smoke")
    boot(k, "patched", "smoke")
    build(k, "debug", "t" * 40)
    dio(k, "debug", {})
rounds("rounds", [100.0, 100.0], [800.0, 760.0])
rounds("bound", [60.0, 62.0], [804.0, 806.0])
rounds("spread", [100.0, 100.0], [400.0, 700.0])
rounds("busy", [100.0, 100.0], [700.0, 720.0], busy={("base", 2)})
rounds("tick", [84.0, 84.0], [698.0, 702.0], device=8000)
rounds("fastdev", [84.0, 84.0], [1010.0, 1012.0], device=8000)
rounds("posted", [100.0, 100.0], [700.0, 720.0])
rounds("postfail", [100.0, 100.0], [700.0, 720.0])
build("posted", "posted", "p" * 40)
dio("posted", "posted", {}, cases=[FINE, HOLE], status="failed", round=1, host=host())
build("postfail", "posted", "p" * 40)
dio("postfail", "posted", {}, verdict="panic", round=1, host=host(),
    findings=[{"kind": "panic", "verdict": "panic", "line": 500, "text": "Kernel panic - not syncing: Fatal exception"}])
