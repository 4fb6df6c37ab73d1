"""tunnelcheck at tenant scale, in one run: ``python benchmarks/run.py [--sizes S,M,L,XL] [--collect L,XL]``.

1. Live collection of the ``--collect`` sizes through the emulator (Intune's throttling, 1,000 requests per
   20 s; 50 ms latency; Intune's page of 1,000): HTTP requests made against the minimum for the data the
   checks need (list pages at the largest page size, per-object requests 20 to a $batch), wall time against
   the limit (the throttling budget and the latency at the configured concurrency), retries and 429s.
2. The full catalog on each snapshot and its baseline (load, digest, parse, every check), in a fresh
   process: wall time against ``json.load`` of the same two files, and peak RSS.
3. Scaling: evaluation time per object at each size.
4. End to end, as a user runs it: ``pytest --snapshot --baseline --html`` (the catalog, the drift checks and
   the self-contained report) as a whole process, against a whole process that does nothing but
   ``json.load`` the same two files; both wall times include starting Python.

Snapshots come from ``tunnelcheck synth`` (seed 1) and are kept in ``benchmarks/.data``. Results are printed
as tables and written to ``benchmarks/results.json``. The machine is shared: compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tunnelcheck import config, model
from tunnelcheck.emulator.graph import PAGE_LIMITS
from tunnelcheck.emulator.throttle import INTUNE
from tunnelcheck.model import is_tunnel_profile
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot, synth
from tunnelcheck.sources.graph.collector import BATCH_LIMIT
from tunnelcheck.sources.graph.source import LiveSource

INTUNE_PAGE = 1000
SECRET_ENV = "TUNNELCHECK_BENCH_SECRET"


def snapshots(size: str, seed: int, folder: Path) -> tuple[Path, Path]:
    current, baseline = folder / f"{size}-{seed}.json", folder / f"{size}-{seed}-baseline.json"
    if not (current.exists() and baseline.exists()):
        tenant = synth.generate(size, seed)
        snapshot.write(current, tenant.current)
        snapshot.write(baseline, tenant.baseline)
    return current, baseline


# -- 1. collection ------------------------------------------------------------------------------------


def minimum(doc: dict[str, Any]) -> dict[str, Any]:
    """The fewest requests for what the collectors read: each list at its largest page, every per-object
    request 20 to a $batch; and the longest chain of pages one after the other."""
    res = doc["resources"]
    configs = res[Resource.DEVICE_CONFIGURATIONS.value]
    ios_defender = sorted(c["createdDateTime"] for c in configs if is_tunnel_profile(c)
                          and c["connectionType"] == "microsoftProtect" and "ios" in c["@odata.type"].lower())
    since = model.parse_datetime(ios_defender[0], "x") if ios_defender else None
    lists = {r.value: len(res[r.value]) for r in Resource}
    lists[Resource.AUDIT_EVENTS.value] = (0 if since is None else sum(
        1 for e in res[Resource.AUDIT_EVENTS.value] if model.parse_datetime(e["activityDateTime"], "x") >= since))
    pages = {key: max(1, math.ceil(n / PAGE_LIMITS.get(key, (0, INTUNE_PAGE))[1])) for key, n in lists.items()}
    if since is None:
        pages[Resource.AUDIT_EVENTS.value] = 0
    per_object = (2 * sum(1 for c in configs if is_tunnel_profile(c))
                  + sum(1 for a in res[Resource.MOBILE_APPS.value] if model.AppKind(a["@odata.type"]).known)
                  + len(res[Resource.TUNNEL_SITES.value])
                  + sum(1 for a in res[Resource.DETECTED_APPS.value] if a["displayName"].casefold() == "microsoft tunnel"))
    batches = math.ceil(per_object / BATCH_LIMIT)
    return {"pages": sum(pages.values()), "per_object": per_object, "batches": batches,
            "http_requests": sum(pages.values()) + batches, "counted": sum(pages.values()) + per_object,
            "longest_chain": max(pages.values()) + 2}  # a list, then its objects' batch, then (configs) audit


def collect(size: str, path: Path, latency_ms: int, concurrency: int) -> dict[str, Any]:
    budget, window = INTUNE
    emu = subprocess.Popen([sys.executable, str(HERE / "_emulator.py"), str(path), str(latency_ms), str(INTUNE_PAGE),
                            str(budget), str(window)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        where = json.loads(emu.stdout.readline())
        os.environ[SECRET_ENV] = where["secret"]
        settings = config.parse({
            "graph_url": where["url"], "authority": where["url"], "ca_bundle": where["ca"],
            "concurrency": concurrency,
            "auth": {"method": "client-secret", "client_id": where["client_id"], "client_secret_env": SECRET_ENV}})
        source = LiveSource(where["tenant"], settings)
        started = time.perf_counter()
        source.load(list(Resource))
        wall = time.perf_counter() - started
        emu.stdin.write("stop\n")
        emu.stdin.flush()
        server = json.loads(emu.stdout.readline())
    finally:
        emu.kill() if emu.poll() is None else None
    with open(path, encoding="utf-8") as f:
        least = minimum(json.load(f))
    throttle_bound = max(0.0, (least["counted"] - budget) / budget * window)
    latency_bound = max(least["http_requests"] / concurrency, least["longest_chain"]) * latency_ms / 1000
    limit = max(throttle_bound, latency_bound)
    return {
        "size": size, "failed_resources": sorted(r.value for r in source.failures),
        "http_requests": server["http_requests"], "minimum_http_requests": least["http_requests"],
        "requests_ratio": server["http_requests"] / least["http_requests"],
        "counted_requests": server["counted_requests"], "minimum_counted": least["counted"],
        "wall_seconds": wall, "throttle_bound_seconds": throttle_bound, "latency_bound_seconds": latency_bound,
        "limit_seconds": limit, "wall_ratio": wall / limit if limit else None,
        "retries": source.stats.retries, "throttled_429": server["throttled_429"],
        "busiest_20s_window": server["busiest_window"], "latency_ms": latency_ms, "concurrency": concurrency,
    }


# -- 2. and 3. evaluation -----------------------------------------------------------------------------


def measure(mode: str, current: Path, baseline: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(HERE / "_evaluate.py"), mode, str(current), str(baseline)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def evaluate(size: str, current: Path, baseline: Path, repeat: int) -> dict[str, Any]:
    runs = [(measure("json", current, baseline), measure("catalog", current, baseline)) for _ in range(repeat)]
    plain = min(r[0]["seconds"] for r in runs)
    catalog = min((r[1] for r in runs), key=lambda r: r["seconds"])
    return {
        "size": size, "objects": catalog["objects"], "json_load_seconds": plain,
        "catalog_seconds": catalog["seconds"], "load_seconds": catalog["load_seconds"],
        "checks_seconds": catalog["checks_seconds"], "ratio_to_json_load": catalog["seconds"] / plain,
        "peak_rss_mb": catalog["peak_rss_bytes"] / 2**20, "us_per_object": catalog["seconds"] / catalog["objects"] * 1e6,
        "outcomes": catalog["outcomes"],
    }


#: The JSON half of the end-to-end comparison: a whole process that loads the two files and nothing more.
_JSON_ONLY = "import json, sys\nfor p in sys.argv[1:]:\n    with open(p, encoding='utf-8') as f:\n        json.load(f)\n"


def _wall(command: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def end_to_end(size: str, current: Path, baseline: Path, repeat: int, folder: Path) -> dict[str, Any]:
    """``pytest --snapshot --baseline --html`` against ``json.load`` of both files, each a whole process,
    run side by side (alternately, best of ``repeat``) so that both see the same machine."""
    work = folder / f"e2e-{size}"
    work.mkdir(exist_ok=True)
    (work / "tunnelcheck.yaml").write_text("migration:\n  defender_features: false\n", encoding="utf-8")
    # As a user's install runs it: without the plugins only the [test] extra brings (hypothesis alone takes
    # 0.65 s to import); anyio's comes with httpx, so it stays.
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                  "-p", "no:xdist", f"--snapshot={current}",
                  f"--baseline={baseline}", "--tunnelcheck-config=tunnelcheck.yaml", "--html=report.html",
                  "--self-contained-html"]
    json_cmd = [sys.executable, "-c", _JSON_ONLY, str(current), str(baseline)]
    runs = [(_wall(json_cmd, work), _wall(pytest_cmd, work, ok=(0, 1))) for _ in range(repeat)]
    plain, run = min(r[0] for r in runs), min(r[1] for r in runs)
    return {"size": size, "megabytes": (current.stat().st_size + baseline.stat().st_size) / 2**20,
            "json_process_seconds": plain, "pytest_process_seconds": run, "ratio_to_json_process": run / plain,
            "report_kb": (work / "report.html").stat().st_size / 1024}


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> str:
    head = [title for _, title, _ in columns]
    body = [[format(r[key], fmt) if isinstance(r[key], (int, float)) and fmt else str(r[key])
             for key, _, fmt in columns] for r in rows]
    widths = [max(len(c) for c in col) for col in zip(head, *body)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="S,M,L,XL", help="sizes to evaluate (default: S,M,L,XL)")
    parser.add_argument("--collect", default="L,XL", help="sizes to collect through the emulator (default: L,XL)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4, help="the collector's concurrency (default: 4)")
    parser.add_argument("--repeat", type=int, default=2, help="evaluation runs per size, best kept (default: 2)")
    parser.add_argument("--data", default=str(HERE / ".data"), help="where the snapshots are kept")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    collected = [s for s in args.collect.split(",") if s]
    folder = Path(args.data)
    folder.mkdir(parents=True, exist_ok=True)

    results: dict[str, Any] = {"seed": args.seed, "python": sys.version.split()[0], "cpus": os.cpu_count(),
                               "collection": [], "evaluation": [], "end_to_end": []}
    for size in sizes:
        current, baseline = snapshots(size, args.seed, folder)
        results["evaluation"].append(evaluate(size, current, baseline, args.repeat))
        results["end_to_end"].append(end_to_end(size, current, baseline, args.repeat, folder))
        print(f"evaluated {size}", file=sys.stderr, flush=True)
    for size in collected:
        current, _ = snapshots(size, args.seed, folder)
        results["collection"].append(collect(size, current, args.latency_ms, args.concurrency))
        print(f"collected {size}", file=sys.stderr, flush=True)

    if results["collection"]:
        print(f"Live collection through the emulator ({args.latency_ms} ms latency, throttling 1,000 per 20 s, "
              f"concurrency {args.concurrency})")
        print(table(results["collection"], [
            ("size", "size", ""), ("http_requests", "requests", ","), ("minimum_http_requests", "minimum", ","),
            ("requests_ratio", "ratio", ".3f"), ("counted_requests", "counted (inner)", ","),
            ("wall_seconds", "wall s", ".1f"), ("limit_seconds", "limit s", ".1f"), ("wall_ratio", "ratio", ".2f"),
            ("retries", "retries", ""), ("throttled_429", "429s", ""), ("busiest_20s_window", "max/20 s", ",")]))
    if results["evaluation"]:
        print("\nFull catalog on the snapshot and its baseline (fresh process each)")
        print(table(results["evaluation"], [
            ("size", "size", ""), ("objects", "objects", ","), ("json_load_seconds", "json.load s", ".2f"),
            ("catalog_seconds", "catalog s", ".2f"), ("load_seconds", "load s", ".2f"),
            ("checks_seconds", "checks s", ".2f"), ("ratio_to_json_load", "ratio", ".2f"),
            ("peak_rss_mb", "peak RSS MB", ",.0f"), ("us_per_object", "µs/object", ".1f")]))
    if results["end_to_end"]:
        print("\nEnd to end: pytest --snapshot --baseline --html against json.load of both files (whole processes)")
        print(table(results["end_to_end"], [
            ("size", "size", ""), ("megabytes", "MB", ",.0f"), ("json_process_seconds", "json.load process s", ".2f"),
            ("pytest_process_seconds", "pytest process s", ".2f"), ("ratio_to_json_process", "ratio", ".2f"),
            ("report_kb", "report KB", ",.0f")]))
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
