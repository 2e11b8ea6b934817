"""Measure hospital-name matching on generated raw -> standard pairs, against plain rapidfuzz.

    python benchmarks/name_matching.py [--pairs 5000] [--seed 7] [--distinct 100000]

Prints, for `uplift.analysis.name_matching.rank_candidates` (without and with the evidence a
sheet gives: city and prescribers) and for a plain rapidfuzz WRatio top-1 of each raw name
against the standard list: top-1 accuracy and the share with the right answer in the top 3
(over raw names whose hospital is in the master), how many are `sure` and how often `sure` is
right (a sure match for a hospital missing from the master is wrong), then the pairs
`duplicate_suggestions` makes on a clean master and its time on `--distinct` distinct names,
and whether each goal is met. The exit status is 0 whether or not goals are met.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from name_pairs import PairSet, clean_set, distinct_names, pair_set

GOAL_TOP1 = 0.90
GOAL_SURE_PRECISION = 0.98
GOAL_DUPLICATES_SECONDS = 1.0


def measure(ps: PairSet, *, evidence: bool, limit: int = 3) -> dict[str, float]:
    """Top-1, top-3, sure count and sure precision of `rank_candidates` on one pair set."""
    from uplift.analysis.name_matching import Evidence, rank_candidates

    ev = None
    if evidence:
        city = dict(ps.city)
        prescribers = {k: set(v) for k, v in ps.prescribers.items()}
        for p in ps.pairs:
            if p.city:
                city[p.raw] = p.city
            if p.prescribers:
                prescribers.setdefault(p.raw, set()).update(p.prescribers)
        ev = Evidence(prescribers=prescribers, city=city)
    raws = [p.raw for p in ps.pairs]
    start = time.perf_counter()
    ranked = rank_candidates(raws, ps.standard, evidence=ev, limit=limit)
    seconds = time.perf_counter() - start
    by_name: dict[str, list[tuple[str, bool]]] = {}
    for name, cand, sure in zip(ranked["name"], ranked["candidate"], ranked["sure"], strict=True):
        by_name.setdefault(name, []).append((cand, bool(sure)))
    return _figures(ps, by_name) | {"seconds": seconds}


def _figures(ps: PairSet, by_name: dict[str, list[tuple[str, bool]]]) -> dict[str, float]:
    answerable = [p for p in ps.pairs if p.expected is not None]
    top1 = sum(bool(by_name.get(p.raw)) and by_name[p.raw][0][0] == p.expected for p in answerable)
    top3 = sum(p.expected in [c for c, _ in by_name.get(p.raw, [])] for p in answerable)
    sure = [p for p in ps.pairs if by_name.get(p.raw) and by_name[p.raw][0][1]]
    right = sum(by_name[p.raw][0][0] == p.expected for p in sure)
    return {
        "pairs": len(ps.pairs),
        "answerable": len(answerable),
        "top1": top1 / max(1, len(answerable)),
        "top3": top3 / max(1, len(answerable)),
        "sure": len(sure),
        "sure_right": right,
        "sure_precision": right / len(sure) if sure else float("nan"),
    }


def baseline(ps: PairSet, *, sure_at: float = 95.0) -> dict[str, float]:
    """rapidfuzz WRatio top-1 (and top-3) on `uplift.sheets.names.match_key` keys."""
    from rapidfuzz import fuzz, process

    from uplift.sheets.names import match_key

    keys = [match_key(s) for s in ps.standard]
    start = time.perf_counter()
    by_name: dict[str, list[tuple[str, bool]]] = {}
    for p in ps.pairs:
        if p.raw in by_name:
            continue
        found = process.extract(match_key(p.raw), keys, scorer=fuzz.WRatio, limit=3)
        by_name[p.raw] = [(ps.standard[j], score >= sure_at) for _, score, j in found]
    seconds = time.perf_counter() - start
    return _figures(ps, by_name) | {"seconds": seconds}


def duplicates(names: list[str]) -> tuple[int, int, float]:
    """(sure pairs, suggested pairs, seconds) of `duplicate_suggestions` on `names`."""
    from uplift.analysis.name_matching import duplicate_suggestions

    start = time.perf_counter()
    found = duplicate_suggestions(names)
    seconds = time.perf_counter() - start
    return int(found["sure"].sum()), len(found), seconds


def _line(label: str, f: dict[str, float]) -> str:
    return (
        f"{label:<38} top-1 {f['top1']:6.1%}   top-3 {f['top3']:6.1%}   "
        f"sure {int(f['sure']):5d} ({f['sure'] / f['pairs']:5.1%} of names), "
        f"right {f['sure_precision']:6.1%}   {f['seconds']:5.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print the figures and goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the timed duplicate search")
    args = parser.parse_args(argv)

    ps = pair_set(args.pairs, seed=args.seed)
    answerable = sum(p.expected is not None for p in ps.pairs)
    print(
        f"{len(ps.pairs)} raw names ({answerable} with their hospital in the master) "
        f"against {len(ps.standard)} standard names, seed {args.seed}"
    )
    plain = measure(ps, evidence=False)
    with_evidence = measure(ps, evidence=True)
    base = baseline(ps)
    print(_line("rank_candidates", plain))
    print(_line("rank_candidates + city, prescribers", with_evidence))
    print(_line("rapidfuzz WRatio top-1 (sure: >= 95)", base))

    clean = clean_set(args.seed)
    sure_clean, suggested_clean, _ = duplicates(clean)
    print(
        f"duplicate_suggestions on the clean master ({len(clean)} names): "
        f"{sure_clean} sure, {suggested_clean} suggested"
    )
    big = distinct_names(args.distinct, seed=args.seed)
    duplicates(big[:2000])  # warm imports
    runs = [duplicates(big) for _ in range(max(1, args.repeat))]
    seconds = sorted(r[2] for r in runs)[len(runs) // 2]
    print(
        f"duplicate_suggestions on {len(big):,} distinct names: {seconds:.2f} s "
        f"(median of {len(runs)}), {runs[0][0]} sure, {runs[0][1]} suggested"
    )
    goals = [
        (f"top-1 >= {GOAL_TOP1:.0%}", plain["top1"] >= GOAL_TOP1),
        (
            f"sure right >= {GOAL_SURE_PRECISION:.0%} (with and without evidence)",
            all(
                f["sure"] and f["sure_precision"] >= GOAL_SURE_PRECISION
                for f in (plain, with_evidence)
            ),
        ),
        ("nothing sure on the clean master", sure_clean == 0),
        (
            f"{len(big):,} distinct names in < {GOAL_DUPLICATES_SECONDS:.0f} s",
            seconds < GOAL_DUPLICATES_SECONDS,
        ),
    ]
    for label, met in goals:
        print(f"goal {label}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
