#!/usr/bin/env python3
"""A synthetic factline dataset for benchmarks, in the dataset format that
`factline import` reads (data/README.md), from a fixed seed.

Tiers (records per kind; citations over records and links):

    S   1,000 groups  10,000 operations   5,000 targets  10,000 legal outcomes   5,000 sources   100,000 citations
    M   10 x S (the reference)
    L   100 x S

Skewed like the real data: operation counts per group and per target follow
a Zipf law, so a few have thousands of operations and most have a handful. Names are
made of a small vocabulary, so searches match many records.

    bench/generate.py --tier S [--seed 1] > dataset.json
"""

import argparse
import itertools
import json
import random
import sys

TIERS = {"S": 1, "M": 10, "L": 100}
BASE = {"groups": 1_000, "operations": 10_000, "targets": 5_000, "legal_outcomes": 10_000, "sources": 5_000,
        "citations": 100_000}

GROUP_KINDS = ["collective", "cell", "crew", "banner", "faction", "other"]
TARGET_KINDS = ["company", "government", "religious_org", "website", "person", "ngo", "media", "other"]
TACTICS = ["ddos", "doxing", "defacement", "protest", "data_leak", "raid", "black_fax", "prank_calls",
           "account_takeover", "website_takedown", "sql_injection", "financial_fraud", "other"]
OUTCOMES = ["arrest", "charge", "indictment", "plea", "conviction", "acquittal", "sentence", "fine",
            "restitution", "damages_claim", "other"]
SOURCE_KINDS = ["news", "court_record", "government", "academic", "encyclopedia", "group_statement", "blog",
                "reference", "other"]
ROLES = ["attributed", "claimed", "organizer", "participant", "supporter"]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "TN", "EG", "IR", "RU", "BR", "IN", "JP", "AU", "CA", "ES", "IT", "TR"]
WORDS = ["operation", "payback", "freedom", "anon", "storm", "tango", "down", "leak", "shadow", "signal",
         "nexus", "cobalt", "harbor", "lantern", "ember", "vector", "echo", "ridge", "falcon", "quiet"]
AMOUNT_KINDS = ["victim_reported_loss", "prosecution_alleged_loss", "restitution_ordered", "fine", "damages_claim"]


def date(rng, precision):
    year = rng.randint(2003, 2024)
    if precision == "year":
        return f"{year}"
    month = rng.randint(1, 12)
    if precision == "month":
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def precision(rng):
    return rng.choices(["day", "month", "year"], weights=[5, 3, 2])[0]


def title(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def generate(tier, seed):
    rng = random.Random(seed)
    k = TIERS[tier]
    n = {name: count * k for name, count in BASE.items()}

    sources = [{
        "slug": f"src-{i:07d}",
        "title": title(rng, 5),
        "url": f"https://example.org/{tier.lower()}/{i}",
        "publisher": rng.choice(["Example News", "Court Records", "Example Journal"]),
        "language": rng.choice(["en", "en", "en", "ar", "de"]),
        "published": date(rng, precision(rng)),
        "kind": rng.choice(SOURCE_KINDS),
    } for i in range(n["sources"])]

    # Every record and link gets one citation; the rest are spread at random.
    citeable = []

    def cite():
        c = [{"source": rng.choice(sources)["slug"]}]
        citeable.append(c)
        return c

    groups = []
    for i in range(n["groups"]):
        g = {
            "slug": f"grp-{i:06d}",
            "kind": rng.choice(GROUP_KINDS),
            "names": [{"lang": "en", "text": f"{title(rng, 2)} {i}", "kind": "primary"}],
            "texts": [{"field": "description", "lang": "en", "text": title(rng, 12) + "."}],
            "citations": cite(),
        }
        if rng.random() < 0.3:
            g["names"].append({"lang": "en", "text": f"{title(rng, 1)} crew {i}", "kind": "alias"})
        if rng.random() < 0.6:
            g["founded"] = date(rng, "year")
        if i > 10 and rng.random() < 0.1:
            g["parent"] = groups[rng.randrange(0, 10)]["slug"]
        groups.append(g)

    targets = [{
        "slug": f"tgt-{i:06d}",
        "kind": rng.choice(TARGET_KINDS),
        "names": [{"lang": "en", "text": f"{title(rng, 2)} target {i}", "kind": "primary"}],
        "country": rng.choice(COUNTRIES),
        "sector": rng.choice(["finance", "government", "media", "religion", "telecom"]),
        "citations": cite(),
    } for i in range(n["targets"])]

    # Zipf-skewed: group and target rank r get weight 1/r, so a few groups
    # claim thousands of operations and a few targets (a PayPal) are hit by
    # many, as in the real data.
    # Cumulated once: `choices` would otherwise sum the weights on every call.
    group_weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(groups))))
    target_weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(targets))))
    operations = []
    for i in range(n["operations"]):
        p = precision(rng)
        op = {
            "slug": f"op-{i:07d}",
            "names": [{"lang": "en", "text": f"Operation {title(rng, 2)} {i}", "kind": "primary"}],
            "start": date(rng, p),
            "tactics": sorted(set(rng.choices(TACTICS, k=rng.randint(1, 3)))),
            "texts": [{"field": "summary", "lang": "en", "text": title(rng, 20) + "."}],
            "groups": [],
            "targets": [],
            "citations": cite(),
        }
        for g in sorted({g["slug"] for g in rng.choices(groups, cum_weights=group_weights, k=rng.randint(1, 2))}):
            op["groups"].append({"group": g, "role": rng.choice(ROLES), "citations": cite()})
        for t in sorted({t["slug"] for t in rng.choices(targets, cum_weights=target_weights, k=rng.randint(1, 3))}):
            op["targets"].append({"target": t, "citations": cite()})
        operations.append(op)

    legal_outcomes = []
    for i in range(n["legal_outcomes"]):
        op = rng.choice(operations)
        lo = {
            "slug": f"lo-{i:07d}",
            "kind": rng.choice(OUTCOMES),
            "date": date(rng, precision(rng)),
            "jurisdiction": rng.choice(COUNTRIES),
            "operation": op["slug"],
            "group": op["groups"][0]["group"],
            "people_count": rng.randint(1, 14),
            "texts": [{"field": "summary", "lang": "en", "text": title(rng, 15) + "."}],
            "citations": cite(),
        }
        if lo["kind"] in ("fine", "restitution", "damages_claim"):
            lo["money"] = {"amount": f"{rng.randint(100, 5_000_000)}.00", "currency": "USD",
                           "kind": rng.choice(AMOUNT_KINDS), "scope": rng.choice(["total", "per_person"])}
        legal_outcomes.append(lo)

    for _ in range(max(0, n["citations"] - len(citeable))):
        rng.choice(citeable).append({"source": rng.choice(sources)["slug"], "locator": f"p. {rng.randint(1, 300)}"})

    return {
        "format": "factline-dataset",
        "version": 1,
        "description": f"Synthetic benchmark dataset, tier {tier}, seed {seed} (bench/generate.py)",
        "sources": sources,
        "groups": groups,
        "targets": targets,
        "operations": operations,
        "legal_outcomes": legal_outcomes,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    json.dump(generate(args.tier, args.seed), sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
