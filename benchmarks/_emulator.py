"""The emulator in a process of its own (the collector's process must not share its interpreter): prints
how to reach it as one JSON line, serves until a line arrives on stdin, then prints its request log's
summary as one JSON line."""

from __future__ import annotations

import json
import sys

from tunnelcheck.emulator import Emulator
from tunnelcheck.emulator.throttle import busiest_window


def main(path: str, latency_ms: str, page_size: str, budget: str, window: str) -> None:
    with Emulator(path, page_size=int(page_size), latency_ms=int(latency_ms),
                  throttle=(int(budget), float(window))) as emu:
        print(json.dumps({"url": emu.url, "ca": emu.ca_path, "tenant": emu.tenant_id, "client_id": emu.client_id,
                          "secret": emu.client_secret}), flush=True)
        sys.stdin.readline()
        log = list(emu.requests)
    graph = [e for e in log if e.path.startswith("/beta/")]
    outer = [e for e in graph if e.batch_of is None]
    inner = [e for e in graph if e.batch_of is not None]
    counted = sorted(e.at for e in graph if not e.path.endswith("/$batch"))
    print(json.dumps({
        "http_requests": len(outer), "batches": sum(1 for e in outer if e.path.endswith("/$batch")),
        "inner_requests": len(inner), "counted_requests": len(counted),
        "throttled_429": sum(1 for e in graph if e.status == 429),
        "busiest_window": busiest_window(counted, float(window)),
    }), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
