#!/usr/bin/env python3
"""The whole Bury survey by speech, as a blind visitor takes it: the real
kiosk under Xvfb, speech turned on by keys from the home screen, real
espeak-ng played through SDL's disk audio driver (which plays in real time),
each screen's words heard to their end before the visitor acts, answers
chosen with Enter on the answer that has the focus on arrival, Next reached
with the arrow keys. Times come from the kiosk's own accessibility dump
(--a11y-dump: when each utterance was given to the speech engine and when it
was heard to its end).

Prints, per screen, how long its arrival words played and how many words
they were, then the totals: the time spent listening to arrivals, and the
whole walk from Start to the thank-you screen (arrivals, the words each key
press says, and the keys themselves).

Usage: bench/speech_survey.py [BUILD_DIR] [--locale pl|ur] [--rate WPM]
Needs Xvfb, xdotool, imagemagick (as scripts/visitor_check.sh does).
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import visitor_check as vc  # noqa: E402  (the same Kiosk and dump reader)


def arrival_words(k, key, t0, timeout=300):
    """Waits for the words said on arrival at screen `key` to be heard to
    their end; returns (seconds, words)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        k.read()
        said = [e for e in k.events if e["event"] in ("say", "stop", "finished") and e["t_ms"] >= t0]
        if said and said[-1]["event"] == "finished":
            break
        time.sleep(0.05)
    else:
        raise vc.Failure(f"the words on {key} were not heard to their end in {timeout} s")
    heard = vc.speech_on(k, key)
    secs = sum(d for _, d, how in heard if d is not None)
    words = sum(len(t.split()) for t, _, _ in heard)
    return secs, words, heard


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--locale", default="")
    args = ap.parse_args()
    binary = os.path.join(ROOT, args.build, "app", "ui", "kiosk")
    if not os.access(binary, os.X_OK):
        sys.exit(f"speech_survey: {binary} is missing: build the kiosk first")
    work = tempfile.mkdtemp(prefix="speech-survey-")
    x = vc.Xvfb("1280x800")
    rows = []
    try:
        k = vc.Kiosk(binary, x.display, "1280x800", work, "blind", True)
        try:
            k.key("Down")  # any key: the offer of speech is read
            k.wait_event(lambda e: "turn speech on" in e.get("text", "").lower() or e["event"] == "say",
                         "the offer of speech")
            k.key("Return")
            k.wait(lambda s: s["settings"]["speech"], "speech on")
            if args.locale:
                k.press(f"home.lang.{args.locale}")
                k.wait(lambda s: s.get("locale", args.locale) == args.locale, f"the kiosk in {args.locale}")
            walk_start = time.time()
            k.press("home.start")
            while True:
                s = k.wait(lambda s: s["screen"] in ("about", "privacy", "question", "review") and s["panel"] == "",
                           "the next screen")
                key = s["key"]
                secs, words, _ = arrival_words(k, key, s["t_ms"] - 50)
                name = s.get("question") or s["screen"]
                rows.append((name, secs, words))
                print(f"{name:10s} {secs:7.1f} s {words:5d} words", flush=True)
                if s["screen"] == "review":
                    break
                focus = s["focus"]
                if s["screen"] == "question" and focus.startswith("opt.") and not any(
                        i["id"].startswith("opt.") and i["value"] == "selected" for i in s["items"]):
                    k.key("Return")  # the answer with the focus on arrival: the first
                    k.wait(lambda n: any(i["id"] == focus and i["value"] == "selected" for i in n["items"]),
                           f"{focus} chosen")
                before = key
                k.press("nav.next")
                k.wait(lambda n: n["key"] != before and n["screen"] != "question" or n.get("question") != s.get(
                    "question"), f"the screen after {name}")
            k.press("nav.submit")
            k.wait(lambda s: s["screen"] == "thanks", "the thank-you screen")
            walk = time.time() - walk_start
        finally:
            k.close()
    finally:
        x.close()
    listened = sum(r[1] for r in rows)
    words = sum(r[2] for r in rows)
    questions = [r for r in rows if r[0].startswith("q")]
    print()
    print(f"screens: {len(rows)} ({len(questions)} questions); arrival words: {words}")
    print(f"listening to arrivals: {listened:.1f} s ({listened / 60:.1f} min), "
          f"{words / listened * 60 if listened else 0:.0f} words a minute")
    longest = max(questions, key=lambda r: r[1]) if questions else None
    if longest:
        print(f"longest question: {longest[0]} {longest[1]:.1f} s")
    print(f"the whole walk, Start to thanks: {walk:.1f} s ({walk / 60:.1f} min)")
    print(f"dump and audio in {work}")


if __name__ == "__main__":
    main()
