"""Chat scenario: N rooms x M connected WebSocket clients, one message per second per room,
delivery latency (post over the socket -> HTML frame received by every client) p50/p95.

Loopback only, bounded duration. With Redis reachable (REDIS_URL, default
redis://127.0.0.1:6379/8) the clients are spread over two uvicorn processes sharing Redis and one
database; without it one process with the in-memory channel layer.

    make bench-chat                      # 5 rooms x 10 clients, 20 s
    .venv/bin/python bench/chat_bench.py --rooms 10 --clients 20 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from tests.chat.asgi_server import (  # noqa: E402
    AsgiServer,
    LiveDatabase,
    redis_available,
    setup_world,
)

TOKEN = re.compile(r"bench:(\d+):(\d+)")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(args: argparse.Namespace) -> int:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    use_redis = not args.no_redis and redis_available(redis_url)
    processes = args.processes if use_redis else 1
    print(
        f"chat bench: {args.rooms} rooms x {args.clients} clients, 1 msg/s per room, "
        f"{args.seconds} s, {processes} uvicorn process(es), "
        f"channel layer: {'Redis ' + redis_url if use_redis else 'in-memory'}"
    )
    db = LiveDatabase(redis_url=redis_url if use_redis else None).prepare()
    people = [(f"Bench{i}", "Person", f"bench{i}@example.com") for i in range(args.clients)]
    data = setup_world(db, people=people, rooms=args.rooms)
    servers = [AsgiServer(db).start() for _ in range(processes)]
    name = data["cookie_name"]
    sent: dict[tuple[int, int], float] = {}
    latencies: list[float] = []
    received = 0
    stop = asyncio.Event()

    async def listen(ws) -> None:  # type: ignore[no-untyped-def]
        nonlocal received
        while not stop.is_set():
            try:
                frame = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.perf_counter()
            match = TOKEN.search(frame)
            if match and "beforeend:#chat-messages" in frame:
                key = (int(match.group(1)), int(match.group(2)))
                if key in sent:
                    latencies.append((now - sent[key]) * 1000)
                    received += 1

    sockets = []
    try:
        # Every client joins every room; client i talks to process i % processes.
        for r, room_id in enumerate(data["rooms"]):
            for i, person in enumerate(data["people"]):
                server = servers[(i + r) % len(servers)]
                ws = await connect(
                    f"{server.ws_url}/ws/chat/{room_id}/",
                    additional_headers={"Cookie": f"{name}={person['session']}"},
                    origin=server.url,
                    open_timeout=30,
                    max_size=2**22,
                )
                sockets.append((r, i, ws))
        listeners = [asyncio.create_task(listen(ws)) for _r, _i, ws in sockets]
        senders = {r: ws for r, i, ws in sockets if i == 0}
        print(f"{len(sockets)} sockets connected")

        start = time.perf_counter()
        seq = 0
        while time.perf_counter() - start < args.seconds:
            tick = time.perf_counter()
            for r, ws in senders.items():
                sent[(r, seq)] = time.perf_counter()
                await ws.send(f'{{"body": "bench:{r}:{seq}"}}')
            seq += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
        await asyncio.sleep(args.drain)
        stop.set()
        await asyncio.gather(*listeners, return_exceptions=True)
    finally:
        for _r, _i, ws in sockets:
            await ws.close()
        for server in servers:
            server.stop()
        db.cleanup()

    expected = len(sent) * args.clients
    summary = {
        "name": "chat WebSocket delivery",
        "rooms": args.rooms,
        "clients_per_room": args.clients,
        "seconds": args.seconds,
        "processes": processes,
        "channel_layer": "redis" if use_redis else "in-memory",
        "messages": len(sent),
        "deliveries_expected": expected,
        "deliveries_received": received,
        "latency_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "latency_max_ms": round(max(latencies), 1) if latencies else None,
    }
    if args.json:
        print("@@CHAT_BENCH@@" + json.dumps(summary))
    print(f"messages posted:      {len(sent)}")
    print(f"deliveries expected:  {expected}")
    print(f"deliveries received:  {received} ({100 * received / max(expected, 1):.1f} %)")
    if latencies:
        print(
            f"delivery latency ms:  p50 {percentile(latencies, 50):.1f}  "
            f"p95 {percentile(latencies, 95):.1f}  max {max(latencies):.1f}  "
            f"mean {statistics.mean(latencies):.1f}"
        )
    return 0 if received == expected else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=5)
    parser.add_argument("--clients", type=int, default=10, help="connected clients per room")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--drain", type=float, default=5.0, help="seconds to wait at the end")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--json", action="store_true", help="also print a JSON summary line")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 300)  # bounded
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
