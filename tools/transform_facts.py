#!/usr/bin/env python3
"""Turn the curated ../shared/data/facts.json into factline's bundled dataset.

    python3 tools/transform_facts.py ../shared/data/facts.json > data/factline.json

The transformation adds no fact of its own. It reshapes what facts.json says
and adds the provenance curated beside it:
- keys become slugs; `name_en`/`name_ar` become primary names per language and
  each alias gets the language of its script (Arabic script: `ar`, else `en`);
- `description_en`, `motive_en`, `summary_en` become per-language texts;
- every record's `sources` become its citations, in the curated order;
- an operation's groups and targets become links cited by the operation's
  sources (facts.json attributes at record level, and those sources are what
  support the attribution); a group link's role is `attributed`;
- integer amounts become exact decimal strings with the currency's minor unit
  (`5600` USD becomes "5600.00"); the money kind follows the outcome kind
  (restitution: restitution_ordered, fine: fine, damages_claim: damages_claim);
- a title facts.json prefixes with "[desc] " loses the prefix and gets
  `title_is_descriptive: true`;
- a source's kind is set per source in tools/seed_source_kinds.json (what
  the source is: news, court record, wiki, blog, forum, ...), never guessed
  from its host; group kinds: GROUP_KIND below; both are documented in
  data/README.md;
- a target whose curated name carries an explanation ("PayPal (owned by
  eBay)") gets its name as a name, the explanation as its description, and
  alternative names as aliases: tools/seed_target_names.json, which only
  rearranges the curated name strings;
- a group or operation facts.json names in English only gets the Arabic
  name in tools/seed_arabic_names.json: our translation of its English name
  (`kind: translation`), or for a bare name our transliteration (`kind:
  transliteration`), spelling Westboro Baptist Church as the seed article does;
- the seed article's own spellings of a name (SEED_SPELLINGS) become aliases,
  so that a search with them finds the record;
- tools/seed_claims.json ties each date, figure, count, person, court,
  jurisdiction and group role of the seed to the sources that show it: those
  sources cite it with `field` (once per field they show), and each other
  reported value of a disputed field becomes an alternative with its own
  sources. It was made by reading each cited page (and, where none showed a
  value, finding one that does; those pages are its `sources`, added after
  the curated ones). data/corpus/notes/seed-fields.md is the log.
"""
import json
import os
import sys
from pathlib import Path

# The per-record curation beside the script; FACTLINE_SEED_CURATION names
# another directory holding the two files (the tools' own tests use it).
CURATION = Path(os.environ.get("FACTLINE_SEED_CURATION") or Path(__file__).resolve().parent)
SOURCE_KINDS = json.loads((CURATION / "seed_source_kinds.json").read_text(encoding="utf-8"))
TARGET_NAMES = json.loads((CURATION / "seed_target_names.json").read_text(encoding="utf-8"))
_arabic = CURATION / "seed_arabic_names.json"
ARABIC_NAMES = json.loads(_arabic.read_text(encoding="utf-8")) if _arabic.exists() else {}
_claims = CURATION / "seed_claims.json"
_claimed = json.loads(_claims.read_text(encoding="utf-8")) if _claims.exists() else {}
# Sources the claims cite that facts.json does not have: pages read while
# tying the seed's values to their sources, each with the address the
# research tool showed.
CLAIM_SOURCES = _claimed.get("sources", [])
# Per record slug (or `operation#group` for a group link's role): which
# sources show which field, and the alternatives of a disputed value.
CLAIMS = _claimed.get("claims", {})


def alternatives_and_citations(key, citations, known):
    citations, alternatives = claimed(key, citations, known)
    out = {"alternatives": alternatives} if alternatives else {}
    out["citations"] = citations
    return out


def claimed(key, citations, known):
    """The citations of a record (or link) with the fields seed_claims.json
    names: a source that shows several fields is cited once per field, a
    source that shows none keeps its citation of the whole record, and a
    source the record did not cite before is added for its fields. Returns
    them with the record's alternatives."""
    claim = CLAIMS.get(key)
    if not claim:
        return citations, []
    fields_of = {}
    for field, sources in claim["field_citations"].items():
        for s in sources:
            if s not in known:
                sys.exit(f"tools/seed_claims.json: {key} cites unknown source {s!r}")
            fields_of.setdefault(s, []).append(field)
    out = []
    for c in citations:
        fields = fields_of.pop(c["source"], None)
        out.extend({**c, "field": f} for f in fields) if fields else out.append(c)
    for s, fields in fields_of.items():
        out.extend({"source": s, "field": f} for f in fields)
    return out, claim.get("alternatives", [])


def check_claims_used(ds):
    """Every claim key names a seed record or group link (a typo would
    otherwise drop its citations silently)."""
    keys = {r["slug"] for k in ("groups", "operations", "legal_outcomes") for r in ds[k]}
    keys |= {f"{o['slug']}#{g['group']}" for o in ds["operations"] for g in o["groups"]}
    unknown = sorted(set(CLAIMS) - keys)
    if unknown:
        sys.exit(f"tools/seed_claims.json: no seed record or group link {unknown}")

# Spellings the seed article (source `seed-article`) uses for these records,
# beside the curated names. (It writes Habbo in Latin letters only, so no
# Arabic spelling of Habbo is added.)
SEED_SPELLINGS = {
    "church-of-scientology": ["السينتولوجي"],
    "op-tunisia": ["تونس"],
}

MINOR_UNITS = {"USD": 2, "GBP": 2, "EUR": 2}

GROUP_KIND = {
    # "leaderless international hacktivist collective"
    "anonymous": "collective",
    # "self-described 'crew of six'"
    "lulzsec": "crew",
    # "Banner launched in June 2011"
    "antisec": "banner",
    # "Name under which ... collaborated"
    "internet-feds": "other",
}

AMOUNT_KIND = {
    "restitution": "restitution_ordered",
    "fine": "fine",
    "damages_claim": "damages_claim",
}


# facts.json marks a title it wrote itself (the page's headline was not
# visible) with this prefix; the dataset says so with `title_is_descriptive`.
DESC = "[desc] "



# The curated file leaves `end` null both for an operation that ended on an
# unknown day and for one that ran on; factline tells them apart (either
# matches every date range after its start, but only an open end says the
# operation went on). What the curated notes say of each null end:
# - op-habbo-raid-2006: the raids recurred in later years: open.
# - op-chanology: its raids and protests recurred: open.
# - op-antisec: it ended (Stratfor, its last part, ends 2012-03), but the
#   file gives no end: unknown, left null.
ENDS = {
    "op-habbo-raid-2006": "..",
    "op-chanology": "..",
}

def strip_desc(title):
    return title[len(DESC):] if title.startswith(DESC) else title


def is_arabic(text):
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def source_kind(src):
    try:
        return SOURCE_KINDS[src["key"]]
    except KeyError:
        sys.exit(f"tools/seed_source_kinds.json has no kind for source {src['key']!r}")


def names(rec):
    out = []
    renamed = TARGET_NAMES.get(rec["key"], {})
    name_en = renamed.get("name_en") or rec.get("name_en")
    if name_en:
        out.append({"lang": "en", "text": name_en, "kind": "primary"})
    if rec.get("name_ar"):
        out.append({"lang": "ar", "text": rec["name_ar"], "kind": "primary"})
    elif rec["key"] in ARABIC_NAMES:
        out.append({"lang": "ar", **ARABIC_NAMES[rec["key"]]})
    aliases = [*(rec.get("aliases") or []), *renamed.get("aliases_en", []), *SEED_SPELLINGS.get(rec["key"], [])]
    seen = {n["text"] for n in out}
    for alias in aliases:
        if alias not in seen:
            seen.add(alias)
            out.append({"lang": "ar" if is_arabic(alias) else "en", "text": alias, "kind": "alias"})
    return out


def texts(field, text):
    return [{"field": field, "lang": "en", "text": text}] if text else []


def cite(keys):
    return [{"source": k} for k in keys]


def money(lo):
    if lo["amount"] is None:
        return None
    cur = lo["currency"]
    amount = f"{lo['amount']:.{MINOR_UNITS[cur]}f}" if isinstance(lo["amount"], int) else str(lo["amount"])
    return {"amount": amount, "currency": cur, "kind": AMOUNT_KIND[lo["kind"]], "scope": lo["amount_scope"]}


def main(path):
    facts = json.load(open(path, encoding="utf-8"))
    known = {s["key"] for s in facts["sources"]} | {s["slug"] for s in CLAIM_SOURCES}
    ds = {
        "format": "factline-dataset",
        "version": 1,
        "description": "Bundled factline dataset, transformed from the curated facts.json by tools/transform_facts.py.",
        "sources": [
            {
                "slug": s["key"],
                "title": strip_desc(s["title"]),
                "title_is_descriptive": s["title"].startswith(DESC),
                "url": s["url"],
                "archived_url": None,
                "publisher": s["publisher"],
                "language": s["language"],
                "published": s["published"],
                "kind": source_kind(s),
            }
            for s in facts["sources"]
        ] + CLAIM_SOURCES,
        "groups": [
            {
                "slug": g["key"],
                "kind": GROUP_KIND[g["key"]],
                "names": names(g),
                "parent": g["parent"],
                "founded": g["founded"],
                "dissolved": None,
                "texts": texts("description", g["description_en"]),
                "citations": claimed(g["key"], cite(g["sources"]), known)[0],
            }
            for g in facts["groups"]
        ],
        "targets": [
            {
                "slug": t["key"],
                "kind": t["kind"],
                "names": names(t),
                "country": t["country"],
                "sector": None,
                "texts": texts("description", TARGET_NAMES.get(t["key"], {}).get("description_en")),
                "citations": cite(t["sources"]),
            }
            for t in facts["targets"]
        ],
        "operations": [
            {
                "slug": o["key"],
                "names": names(o),
                "start": o["start"],
                "end": ENDS.get(o["key"], o["end"]),
                "part_of": o["part_of"],
                "tactics": o["tactics"],
                "texts": texts("motive", o["motive_en"]),
                "disputed": o["disputed"],
                "dispute_note": o["dispute_note"],
                "groups": [
                    {"group": g, "role": "attributed",
                     "citations": claimed(f"{o['key']}#{g}", cite(o["sources"]), known)[0]}
                    for g in o["groups"]
                ],
                "targets": [{"target": t, "citations": cite(o["sources"])} for t in o["targets"]],
                **alternatives_and_citations(o["key"], cite(o["sources"]), known),
            }
            for o in facts["operations"]
        ],
        "legal_outcomes": [
            {
                "slug": lo["key"],
                "kind": lo["kind"],
                "date": lo["date"],
                "jurisdiction": lo["jurisdiction"],
                "court": lo["court"],
                "operation": lo["operation"],
                "group": lo["group"],
                "people_count": lo["people_count"],
                "person": lo["person"],
                "money": money(lo),
                "texts": texts("summary", lo["summary_en"]),
                "disputed": lo["disputed"],
                "dispute_note": lo["dispute_note"],
                **alternatives_and_citations(lo["key"], cite(lo["sources"]), known),
            }
            for lo in facts["legal_outcomes"]
        ],
    }
    check_claims_used(ds)
    json.dump(ds, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/facts.json")
