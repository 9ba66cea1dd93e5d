#!/usr/bin/env python3
# For bench/openrosa_central.sh: ODK Central's decrypted CSV export against
# what each visitor answered (the same seeded simulation, sealed to our own
# key and opened with kiosk-admin open): every response exactly once, every
# answer and "other" text equal, nothing answered that was left blank.
# Usage: central_compare.py CENTRAL.csv RESPONSES.jsonl  (exit 1 on any difference)
import csv, json, sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
by_id = {}
for r in rows:
    by_id.setdefault(r["meta-instanceID"], []).append(r)
docs = [json.loads(line) for line in open(sys.argv[2])]
missing = mismatched = checked = 0
examples = []


def differ(*what):
    global mismatched
    mismatched += 1
    if len(examples) < 5:
        examples.append(what)


for d in docs:
    got = by_id.get("uuid:" + d["uuid"])
    if not got:
        missing += 1
        continue
    cols = {k.split("-")[-1]: v for k, v in got[0].items()}
    for q, a in d["answers"].items():
        want = " ".join(a["choices"]) if "choices" in a else a.get("text", "")
        checked += 1
        if cols.get(q) != want:
            differ(d["uuid"], q, want, cols.get(q))
        if a.get("other_text"):
            checked += 1
            if cols.get(q + "_other") != a["other_text"]:
                differ(d["uuid"], q + "_other", a["other_text"], cols.get(q + "_other"))
    for q, v in cols.items():
        if v and q in {x for x in cols if x.startswith("q") and x[1:].isdigit()} and q not in d["answers"]:
            differ(d["uuid"], q, "", v)
duplicated = sum(len(v) - 1 for v in by_id.values() if len(v) > 1)
print(f"Central holds {len(rows)} submissions of this form, {len(by_id)} distinct instance ids, {duplicated} duplicated")
print(f"of the kiosk's {len(docs)} responses: {len(docs) - missing} there, {missing} missing; "
      f"{checked} answers compared, {mismatched} different {examples if examples else ''}")
sys.exit(0 if missing == 0 and mismatched == 0 and duplicated == 0 and len(rows) == len(docs) else 1)
