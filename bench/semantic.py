"""The semantic signal's index and model, measured (needs the extra:
pip install rapport[semantic]).

    python bench/semantic.py [--vectors 1000000] [--queries 200] [--profiles 3000]
                             [--database-url URL]

1. The index. `--vectors` synthetic unit vectors of 384 dimensions (the
   model's), drawn around 2,000 centres with noise, so that they cluster as
   profiles of a few thousand kinds of job would; queries are drawn the same
   way. The IVF index of `jobs.semantic` is built over them (timed), then
   each query's 10 nearest are asked of the index and of an exact numpy
   search over every vector (the baseline). Reported: recall@10 (the share
   of the exact ten the index finds; target >= 0.95), the index's p50/p95
   per query (target p95 <= 150 ms) beside the exact search's, and the same
   for the 200 neighbours rediscovery asks for.
2. The model. `--profiles` real profiles embedded with all-MiniLM-L6-v2 on
   the CPU, reported in profiles per second. With `--database-url` (an
   installation with candidates, such as the one bench/rediscovery.py
   uses) they are candidates' profile texts, as `embeddings_refresh` builds
   them; without it, texts made from the demo's roles and headlines.

Results go to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent / "src"))

RECALL_TARGET = 0.95
P95_TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--profiles", type=int, default=3_000)
    parser.add_argument("--database-url", help="Take profiles from this installation.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    if args.database_url:
        os.environ["RAPPORT_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    report: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "index": bench_index(args.vectors, args.queries),
        "model": bench_model(args.profiles, from_database=bool(args.database_url)),
    }
    index = report["index"]
    ok = index["recall_at_10"] >= RECALL_TARGET and index["index_p95_ms"] <= P95_TARGET_MS
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"semantic-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {path.relative_to(HERE.parent)}")
    sys.exit(0 if ok else 1)


def _clustered(rng: Any, count: int, centres: Any, noise: float) -> Any:
    import numpy as np

    out = np.empty((count, centres.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        block = centres[rng.integers(0, len(centres), size=n)]
        block = block + noise * rng.standard_normal((n, centres.shape[1]), dtype=np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def bench_index(count: int, queries: int) -> dict[str, Any]:
    import numpy as np

    from rapport.jobs.semantic import DIMENSIONS, IvfIndex

    rng = np.random.default_rng(42)
    centres = rng.standard_normal((2_000, DIMENSIONS), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    print(f"index: {count:,} vectors of {DIMENSIONS} around {len(centres):,} centres", flush=True)
    vectors = _clustered(rng, count, centres, noise=0.07)
    asked = _clustered(rng, queries, centres, noise=0.07)
    began = time.perf_counter()
    index = IvfIndex.build(np.arange(count, dtype=np.int64), vectors)
    built = time.perf_counter() - began
    print(f"  built in {built:.1f} s: {len(index.centroids):,} lists, nprobe {index.nprobe}", flush=True)  # fmt: skip
    found, index_ms, exact_ms, wide_ms = 0, [], [], []
    for query in asked:
        began = time.perf_counter()
        exact = np.argpartition(-(vectors @ query), 10)[:10]
        exact_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        ids, _ = index.search(query, 10)
        index_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        index.search(query, 200)
        wide_ms.append((time.perf_counter() - began) * 1000)
        found += len(set(ids.tolist()) & set(exact.tolist()))
    recall = found / (10 * len(asked))
    result = {
        "vectors": count,
        "lists": len(index.centroids),
        "nprobe": index.nprobe,
        "build_s": round(built, 1),
        "recall_at_10": round(recall, 4),
        "index_p50_ms": _p(index_ms, 50),
        "index_p95_ms": _p(index_ms, 95),
        "index_200_p95_ms": _p(wide_ms, 95),
        "exact_p50_ms": _p(exact_ms, 50),
        "exact_p95_ms": _p(exact_ms, 95),
        "synthetic": True,
    }
    print(f"  recall@10 {recall:.3f} (target >= {RECALL_TARGET}) "
          f"{'PASS' if recall >= RECALL_TARGET else 'FAIL'}")  # fmt: skip
    print(f"  index p50 {result['index_p50_ms']:.1f} ms, p95 {result['index_p95_ms']:.1f} ms "
          f"(target <= {P95_TARGET_MS:.0f} ms) {'PASS' if result['index_p95_ms'] <= P95_TARGET_MS else 'FAIL'}; "
          f"200 neighbours p95 {result['index_200_p95_ms']:.1f} ms")  # fmt: skip
    print(f"  exact numpy search p50 {result['exact_p50_ms']:.1f} ms, p95 {result['exact_p95_ms']:.1f} ms: "
          f"the index is {result['exact_p50_ms'] / max(result['index_p50_ms'], 0.001):.0f} times faster at p50")  # fmt: skip
    return result


def bench_model(count: int, *, from_database: bool) -> dict[str, Any]:
    from rapport.jobs import semantic

    if from_database:
        from rapport.people.models import Candidate

        rows = list(
            Candidate.objects.order_by("pk").only(
                "pk", "current_title", "headline", "current_company"
            )[:count]
        )
        texts = list(semantic.profile_texts(rows).values())
        source = "candidates' profiles"
    else:
        texts = _made_up(count)
        source = "profiles made from the demo's roles"
    print(f"\nmodel: {len(texts):,} {source}, all-MiniLM-L6-v2 on the CPU", flush=True)
    began = time.perf_counter()
    semantic.model()
    loaded = time.perf_counter() - began
    semantic.embed(texts[:64])  # warm up
    began = time.perf_counter()
    semantic.embed(texts)
    seconds = time.perf_counter() - began
    rate = len(texts) / seconds
    print(f"  loaded in {loaded:.1f} s; {rate:,.0f} profiles/s ({seconds:.1f} s for {len(texts):,})")  # fmt: skip
    return {"profiles": len(texts), "source": source, "load_s": round(loaded, 1),
            "seconds": round(seconds, 1), "profiles_per_s": round(rate, 1)}  # fmt: skip


def _made_up(count: int) -> list[str]:
    from rapport.people.demo import demo_data

    data = demo_data()
    rng = random.Random(3)
    texts = []
    for _ in range(count):
        role = rng.choice(data["roles"])
        company = rng.choice(data["companies"])
        texts.append(f"{role['title']}. Skills: {', '.join(role['skills'])}. At {company}")
    return texts


def _p(values: list[float], percent: int) -> float:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(cuts[min(98, percent - 1)], 2)


if __name__ == "__main__":
    main()
