"""The shared queue's cost and scaling, in one run on the same pages: in-process `newshound ingest`
with one thread, against the queue (a redis-server started here on 127.0.0.1, `enqueue`, then one
indexer and one or two workers of one thread each, timed from the workers' start until the indexer
has committed everything). Reports the median wall time of --repeat runs of each, the queue's
overhead over in-process ingest, and how much faster two workers are than one.
"""

import argparse
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(binary, pages):
    with tempfile.TemporaryDirectory() as index:
        start = time.monotonic()
        subprocess.run([binary, "-q", "--threads", "1", "ingest", str(pages), "--index", index],
                       check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - start


def over_queue(binary, pages, workers):
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/"
        redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                  "--appendonly", "no", "--dir", scratch], stdout=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
                    break
                time.sleep(0.05)
            subprocess.run([binary, "-q", "enqueue", "--redis", url, str(pages)], check=True, stdout=subprocess.DEVNULL)
            start = time.monotonic()
            processes = [subprocess.Popen([binary, "-q", "--threads", "1", "worker", "--redis", url, "--drain",
                                           "--name", f"w{n}"], stdout=subprocess.DEVNULL) for n in range(workers)]
            processes.append(subprocess.Popen([binary, "-q", "indexer", "--redis", url, "--drain",
                                               "--index", str(Path(scratch) / "index")], stdout=subprocess.DEVNULL))
            for p in processes:
                if p.wait() != 0:
                    raise SystemExit(f"{p.args} exited with {p.returncode}")
            return time.monotonic() - start
        finally:
            redis.kill()
            redis.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--newshound", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    count = len([p for p in args.pages.iterdir() if p.is_file()])
    runs = {"in-process ingest, 1 thread": [], "queue, 1 worker (1 thread) + indexer": [],
            "queue, 2 workers (1 thread each) + indexer": []}
    for _ in range(args.repeat):
        # Interleaved, so that whatever else the machine does weighs on all three alike.
        runs["in-process ingest, 1 thread"].append(in_process(args.newshound, args.pages))
        runs["queue, 1 worker (1 thread) + indexer"].append(over_queue(args.newshound, args.pages, 1))
        runs["queue, 2 workers (1 thread each) + indexer"].append(over_queue(args.newshound, args.pages, 2))
    medians = {name: statistics.median(times) for name, times in runs.items()}
    print(f"pages: {count}, median of {args.repeat} runs each")
    print(f"{'setup':<46}{'wall s':>8}{'pages/s':>9}")
    for name, wall in medians.items():
        print(f"{name:<46}{wall:>8.1f}{count / wall:>9.2f}")
    single, one, two = medians.values()
    print(f"queue overhead (1 worker against in-process): {(one / single - 1) * 100:+.1f} %")
    print(f"2 workers against 1: {one / two:.2f}x")


if __name__ == "__main__":
    main()
