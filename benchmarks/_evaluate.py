"""One measurement in a fresh process (so peak RSS is its own): ``json`` loads the snapshots with
``json.load``; ``catalog`` loads them as pytest does (``snapshot.load_tenant``: digest, parse) and runs every
check of the built-in catalog. Prints one JSON line: seconds, peak RSS, objects."""

from __future__ import annotations

import json
import resource
import sys
import time


def main(mode: str, current: str, baseline: str) -> None:
    if mode == "catalog":  # imports are not what is measured
        import tunnelcheck.checks

        import tunnelcheck.sources.snapshot
    start = time.perf_counter()
    if mode == "json":
        docs = []
        for path in (current, baseline):
            with open(path, encoding="utf-8") as f:
                docs.append(json.load(f))
        objects = sum(len(v) for d in docs for v in d["resources"].values())
        outcomes: dict[str, str] = {}
    else:
        import tunnelcheck.checks

        from tunnelcheck.check import run_check
        from tunnelcheck.config import MigrationConfig
        from tunnelcheck.sources.snapshot import load_tenant

        tenant, before = load_tenant(current), load_tenant(baseline, label="baseline")
        loaded = time.perf_counter()
        config = MigrationConfig(defender_features=False)
        outcomes = {c.id: run_check(c, tenant, before, config).outcome
                    for c in tunnelcheck.checks.pytest_tunnelcheck_checks()}
        objects = sum(len(v) for t in (tenant, before) for v in t.source.snapshot.resources.values())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    out = {"mode": mode, "seconds": seconds, "peak_rss_bytes": peak, "objects": objects, "outcomes": outcomes}
    if mode == "catalog":
        out["load_seconds"] = loaded - start
        out["checks_seconds"] = seconds - (loaded - start)
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:4])
