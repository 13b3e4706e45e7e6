#!/usr/bin/env python3
"""The fuzzy peer: RapidFuzz partial_ratio over every source for each quote, then partial_ratio_alignment on
the best source to locate the passage. Reads the sources of a workspace and a JSON list of quotes; writes one
JSON object per quote (best source, score, alignment, seconds) and a summary.

Usage: rapidfuzz_peer.py ROOT QUOTES.json OUT.json

Fair to the peer: texts are pre-processed once (lower case, punctuation stripped: rapidfuzz.utils.default_process),
outside the timed part, and the scan uses both cores (process.cdist with workers=-1) when numpy is present.
"""
import json
import os
import sys
import time

from rapidfuzz import fuzz, process, utils


def main():
    root, quotes_path, out_path = sys.argv[1:4]
    t0 = time.perf_counter()
    paths = []
    for folder, _, files in os.walk(os.path.join(root, "sources")):
        for name in files:
            if name.endswith(".md"):
                paths.append(os.path.join(folder, name))
    paths.sort()
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            texts.append(utils.default_process(f.read()))
    load_seconds = time.perf_counter() - t0
    quotes = json.load(open(quotes_path, encoding="utf-8"))
    processed = [utils.default_process(q["text"]) for q in quotes]
    try:
        import numpy  # noqa: F401
        have_numpy = True
    except ImportError:
        have_numpy = False
    results = []
    t1 = time.perf_counter()
    if have_numpy:
        matrix = process.cdist(processed, texts, scorer=fuzz.partial_ratio, workers=-1)
        scan_seconds = time.perf_counter() - t1
        best = [(int(row.argmax()), float(row.max())) for row in matrix]
    else:
        best = []
        for q in processed:
            choice = process.extractOne(q, texts, scorer=fuzz.partial_ratio, processor=None)
            best.append((choice[2], float(choice[1])))
        scan_seconds = time.perf_counter() - t1
    t2 = time.perf_counter()
    for q, p, (index, score) in zip(quotes, processed, best):
        alignment = fuzz.partial_ratio_alignment(p, texts[index])
        results.append({
            "id": q["id"],
            "source": os.path.relpath(paths[index], root),
            "score": score,
            "alignment": [alignment.dest_start, alignment.dest_end] if alignment else None,
        })
    align_seconds = time.perf_counter() - t2
    json.dump({
        "load_seconds": load_seconds,
        "scan_seconds": scan_seconds,
        "align_seconds": align_seconds,
        "quotes": len(quotes),
        "sources": len(texts),
        "workers": "all cores (cdist)" if have_numpy else "1 (extractOne)",
        "results": results,
    }, open(out_path, "w"))


if __name__ == "__main__":
    main()
