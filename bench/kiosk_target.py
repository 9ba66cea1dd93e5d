#!/usr/bin/env python3
"""Where bench/kiosk_vs_browser.sh taps the kiosk, and whether the tap did
what it was for, read from the kiosk's own accessibility dump (--a11y-dump),
so the benchmark follows the layout instead of fixed coordinates.

  kiosk_target.py find DUMP WHAT
      WHAT is an item id (home.start, nav.next) or "answer" (the question's
      second answer, or its first if it has one, as the Chromium page's taps
      choose). Prints "X,Y ID SCREENS": the centre of the item on the last
      screen written, its id, and how many screens the dump held. Fails if
      the item is missing or not wholly in view.
  kiosk_target.py changed DUMP SCREENS ID [TIMEOUT_S]
      Waits until a screen written after the first SCREENS shows the tap's
      effect: ID chosen (an answer), or a different screen (anything else).
      Fails, naming what is on screen, if none does within TIMEOUT_S (5).
"""
import json
import sys
import time


def screens(path):
    out = []
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                break  # a line still being written
            e = json.loads(line)
            if e.get("event") == "screen":
                out.append(e)
    return out


def item(screen, item_id):
    for it in screen["items"]:
        if it["id"] == item_id:
            return it
    return None


def find(path, what):
    ss = screens(path)
    if not ss:
        sys.exit(f"kiosk_target: no screen in {path} yet")
    s = ss[-1]
    if what == "answer":
        answers = [it for it in s["items"] if it["id"].startswith("opt.") and it.get("interactive", True)]
        if not answers:
            sys.exit(f"kiosk_target: no answers on screen {s['key']}")
        it = answers[1] if len(answers) > 1 else answers[0]
    else:
        it = item(s, what)
        if it is None:
            sys.exit(f"kiosk_target: {what} is not on screen {s['key']}")
    if not it["in_view"]:
        sys.exit(f"kiosk_target: {it['id']} is not wholly in view on screen {s['key']}")
    x, y, w, h = it["rect"]
    print(f"{int(x + w / 2)},{int(y + h / 2)} {it['id']} {len(ss)}")


def changed(path, seen, item_id, timeout):
    seen = int(seen)
    deadline = time.time() + timeout
    while True:
        ss = screens(path)
        before = ss[seen - 1] if 0 < seen <= len(ss) else None
        for s in ss[seen:]:
            if item_id.startswith("opt."):
                it = item(s, item_id)
                if it is not None and it.get("value") == "selected":
                    return
            elif before is None or s["key"] != before["key"]:
                return
        if time.time() > deadline:
            now = ss[-1] if ss else None
            sys.exit(f"kiosk_target: a tap on {item_id} changed nothing the kiosk shows "
                     f"(on screen: {now and now['key']}, focus {now and now.get('focus')})")
        time.sleep(0.02)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "find":
        find(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 5 and sys.argv[1] == "changed":
        changed(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 5.0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
