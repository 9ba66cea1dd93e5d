#!/usr/bin/env python3
"""Drives the real kiosk binary under Xvfb through the whole Bury survey, as
four visitors would: at 100% text; at 200% text with high contrast, in
English and in Urdu, choosing by touch the last answer of every question
(brought into view by tapping the band that says how many answers are below);
and with speech on (SDL's disk audio driver writes what is played to a
file). Reads what is on screen from the kiosk's own accessibility dump
(--a11y-dump), not from pixels; saves a screenshot of every question at each
setting.

Exits non-zero if an answer of any Bury question is out of view at 100%, an
answer below the fold has no band counting it, anything on arrival is shown
cut (other than a text showing whole lines), a tap does not choose the answer
tapped, or the help controls move between screens. Run through
scripts/visitor_check.sh.
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELP_IDS = ("bar.help", "bar.settings", "bar.repeat")
SPEECH_CAP_S = 2.5  # how long each question's reading may play before the visitor moves on


class Failure(Exception):
    pass


def free_display():
    for n in range(90, 200):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return n
    raise Failure("no free X display between :90 and :199")


class Xvfb:
    def __init__(self, size):
        self.n = free_display()
        self.proc = subprocess.Popen(["Xvfb", f":{self.n}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(f"/tmp/.X11-unix/X{self.n}"):
            if self.proc.poll() is not None or time.time() > deadline:
                raise Failure(f"Xvfb :{self.n} did not start")
            time.sleep(0.05)
        self.display = f":{self.n}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Kiosk:
    """One kiosk process and its dump, read as it grows."""

    def __init__(self, binary, display, size, work, name, speech):
        self.display = display
        self.origin = (0, 0)
        self.dump = os.path.join(work, f"{name}.jsonl")
        self.audio = os.path.join(work, f"{name}.raw")
        cfg = os.path.join(work, f"{name}.toml")
        src = os.path.join(ROOT, "kiosk-config")
        with open(os.path.join(src, "kiosk.toml")) as f:
            text = f.read()
        lines = []
        for line in text.splitlines():
            key = line.split("=")[0].strip()
            if key == "database":
                line = f'database = "{os.path.join(work, name + ".db")}"'
            elif key in ("survey", "pages", "service_points"):
                value = line.split("=", 1)[1].split("#")[0].strip().strip('"')
                line = f'{key} = "{os.path.join(src, value)}"'
            elif key == "hub_url":
                line = 'hub_url = ""'
            elif key == "public_key_file":
                # A public key of the documented format (nobody opens what is
                # sealed to it here): 32 random bytes, id from their SHA-256.
                pub = os.urandom(32)
                key_path = os.path.join(work, name + ".pub")
                with open(key_path, "w") as kf:
                    kf.write("kiosk-seal-public-v1 %s %s\n" % (hashlib.sha256(pub).hexdigest()[:16],
                                                              base64.b64encode(pub).decode()))
                line = f'public_key_file = "{key_path}"'
            lines.append(line)
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, DISPLAY=display)
        if speech:
            env.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=self.audio)
            env.pop("SDL_DISKAUDIODELAY", None)
        else:
            env["SDL_AUDIODRIVER"] = "dummy"
        self.log = open(os.path.join(work, f"{name}.log"), "w")
        # A window the size of the screen: with no window manager on Xvfb,
        # SDL's full screen keeps the window at its default size, centred.
        self.proc = subprocess.Popen([binary, "--config", cfg, "--a11y-dump", self.dump, "--windowed", size], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.events = []
        self.offset = 0
        self.screens = []  # screen events only
        self.wait(lambda s: s["screen"] == "home", "the home screen")
        # Where the window is on the screen: taps are aimed in its coordinates.
        out = subprocess.run(["xdotool", "search", "--sync", "--pid", str(self.proc.pid), "getwindowgeometry",
                              "--shell"], env=dict(os.environ, DISPLAY=display), capture_output=True, text=True,
                             timeout=10).stdout
        geo = dict(line.split("=", 1) for line in out.split() if "=" in line)
        self.origin = (int(geo.get("X", 0)), int(geo.get("Y", 0)))

    def read(self):
        if not os.path.exists(self.dump):
            return
        with open(self.dump) as f:
            f.seek(self.offset)
            chunk = f.read()
        end = chunk.rfind("\n")
        if end < 0:
            return
        self.offset += len(chunk[: end + 1].encode())
        for line in chunk[: end + 1].splitlines():
            e = json.loads(line)
            self.events.append(e)
            if e["event"] == "screen":
                self.screens.append(e)

    def now(self):
        return self.screens[-1] if self.screens else None

    def wait(self, pred, what, timeout=15):
        """Waits for a screen event (from now on, or the current one) matching pred."""
        deadline = time.time() + timeout
        start = max(0, len(self.screens) - 1)
        while True:
            self.read()
            for s in self.screens[start:]:
                if pred(s):
                    return s
            if self.proc.poll() is not None:
                raise Failure(f"the kiosk exited (code {self.proc.returncode}) waiting for {what}")
            if time.time() > deadline:
                cur = self.now()
                raise Failure(f"timed out waiting for {what}; on screen: {cur and cur['key']} focus {cur and cur['focus']}")
            time.sleep(0.02)

    def wait_event(self, pred, what, timeout=15):
        deadline = time.time() + timeout
        while True:
            self.read()
            if any(pred(e) for e in self.events):
                return
            if time.time() > deadline:
                raise Failure(f"timed out waiting for {what}")
            time.sleep(0.02)

    def press(self, item_id):
        """Keys alone: Down until item_id has the focus, then Enter."""
        for _ in range(80):
            if self.now()["focus"] == item_id:
                break
            focus = self.now()["focus"]
            self.key("Down")
            self.wait(lambda s: s["focus"] != focus, f"the focus to move from {focus}")
        if self.now()["focus"] != item_id:
            raise Failure(f"the keys never reached {item_id}")
        self.key("Return")

    def still(self, quiet=0.25, timeout=5):
        """Until the screen has not changed for `quiet` seconds: a visitor's
        next tap comes after the column has come to rest."""
        deadline = time.time() + timeout
        last, since = self.now()["t_ms"], time.time()
        while time.time() < deadline:
            time.sleep(0.05)
            self.read()
            if self.now()["t_ms"] != last:
                last, since = self.now()["t_ms"], time.time()
            elif time.time() - since >= quiet:
                return

    def item(self, item_id):
        for it in self.now()["items"]:
            if it["id"] == item_id:
                return it
        return None

    def xdo(self, *args):
        subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=self.display), check=True)

    def click(self, item_id):
        it = self.item(item_id)
        if not it:
            raise Failure(f"{item_id} is not on screen ({self.now()['key']})")
        if not it["in_view"]:
            raise Failure(f"{item_id} is out of view, cannot be touched ({self.now()['key']})")
        self.tap_rect(it["rect"])

    def tap_rect(self, rect):
        x, y, w, h = rect
        self.xdo("mousemove", str(int(self.origin[0] + x + w / 2)), str(int(self.origin[1] + y + h / 2)), "click", "1")

    def tap(self, item_id):
        """A finger alone: taps the band that says what is below (or above)
        until the item is wholly in view, then taps the item itself."""
        for _ in range(12):
            it = self.item(item_id)
            if it is None:
                raise Failure(f"{item_id} is not on screen ({self.now()['key']})")
            if it["in_view"]:
                break
            below = it["rect"][1] + it["rect"][3] > it["clip"][1] + it["clip"][3]
            band = (self.item("question.more") or self.item("content.more_below")) if below \
                else self.item("content.more_above")
            if band is None:
                raise Failure(f"{item_id} is out of view and no band says so ({self.now()['key']})")
            before = it["rect"][1]
            self.tap_rect(band["rect"])
            self.wait(lambda s: any(i["id"] == item_id and i["rect"][1] != before for i in s["items"]),
                      f"a tap on '{band['label']}' to slide towards {item_id}")
            self.still()
        else:
            raise Failure(f"taps on the bands never brought {item_id} into view")
        self.click(item_id)

    def tap_answer(self, item_id):
        self.tap(item_id)
        self.wait(lambda s: any(i["id"] == item_id and i["value"] == "selected" for i in s["items"]),
                  f"{item_id} chosen by a tap")

    def key(self, name):
        self.xdo("key", name)

    def shot(self, path):
        subprocess.run(["import", "-display", self.display, "-window", "root", path], check=True)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def help_positions(screen):
    return {it["id"]: tuple(round(v) for v in it["rect"]) for it in screen["items"] if it["id"] in HELP_IDS}


def audible_seconds(path, rate=22050, threshold=256):
    """Recorded and audible seconds in a 16-bit mono raw file (10 ms windows)."""
    if not os.path.exists(path):
        return 0.0, 0.0
    with open(path, "rb") as f:
        data = f.read()
    n = len(data) // 2
    samples = struct.unpack(f"<{n}h", data[: n * 2])
    win = rate // 100
    loud = 0
    for k in range(0, n - win + 1, win):
        if max(abs(v) for v in samples[k : k + win]) >= threshold:
            loud += 1
    return n / rate, loud / 100.0


class Run:
    def __init__(self, name, title, large, speech, locale=""):
        self.name, self.title, self.large, self.speech = name, title, large, speech
        self.locale = locale
        self.questions = []  # (arrival screen, speech record)
        self.help = []  # (screen key, positions)
        self.problems = []
        self.tapped = []  # the answers chosen by a tap at 200%
        self.audio = None


def speech_on(kiosk, key):
    """Utterances said while screen `key` was shown, and how long each played.
    Words are said as a frame is drawn, just before that frame's screen is
    written, so each belongs to the first screen written at or after it."""
    said = [e for e in kiosk.events if e["event"] in ("say", "stop", "finished")]
    out = []
    for k, e in enumerate(said):
        if e["event"] != "say":
            continue
        owner = next((s for s in kiosk.screens if s["t_ms"] >= e["t_ms"]), None)
        if not owner or owner["key"] != key:
            continue
        end, how = None, "still playing at the end"
        for later in said[k + 1 :]:
            end = later["t_ms"]
            how = {"finished": "heard to its end", "stop": "stopped: the visitor moved on",
                   "say": "cut by the next words"}[later["event"]]
            break
        out.append((e["text"], (end - e["t_ms"]) / 1000.0 if end is not None else None, how))
    return out


def drive(binary, display, size, work, shots, run):
    k = Kiosk(binary, display, size, work, run.name, run.speech)
    try:
        home = k.now()
        if run.large:
            k.click("bar.settings")
            k.wait(lambda s: s["panel"] == "settings", "the settings panel")
            k.click("settings.size.200")
            k.wait(lambda s: s["settings"]["text_scale"] == 200, "200% text")
            k.press("settings.contrast")  # below the fold at 200%: reached by keys
            k.wait(lambda s: s["settings"]["high_contrast"], "high contrast")
            k.press("settings.done")
            home = k.wait(lambda s: s["screen"] == "home" and s["panel"] == "", "home again")
        if run.speech:
            k.key("Down")  # any key: the offer is read
            k.wait_event(lambda e: "turn speech on" in e.get("text", ""), "the offer of speech")
            k.key("Return")
            home = k.wait(lambda s: s["settings"]["speech"], "speech on")
        if run.locale:
            k.tap(f"home.lang.{run.locale}")
            home = k.wait(lambda s: s["key"] != home["key"], f"the home screen in {run.locale}")
        run.help.append(("home", help_positions(home)))
        k.shot(os.path.join(shots, f"{run.name}-home.png"))
        k.tap("home.start")
        s = k.wait(lambda s: s["screen"] == "about", "the introduction")
        run.help.append(("about", help_positions(s)))
        k.click("nav.next")
        s = k.wait(lambda s: s["screen"] == "privacy", "what is kept")
        run.help.append(("privacy", help_positions(s)))
        k.click("nav.next")
        seen = {}
        q9_no = False
        while True:
            s = k.wait(lambda s: s["screen"] in ("question", "review") and s["panel"] == "", "a question")
            if s["screen"] == "review":
                break
            qid = s["question"]
            # Arrival: the first settled frame of this question (focus scrolled in).
            if qid not in seen:
                time.sleep(0.15)  # a few more frames may settle the focus scroll; the last is what stays
                k.read()
                arrival = k.now()
                seen[qid] = True
                run.help.append((qid, help_positions(arrival)))
                k.shot(os.path.join(shots, f"{run.name}-{qid}.png"))
                t0 = arrival["t_ms"]
                if run.speech:
                    deadline = time.time() + SPEECH_CAP_S
                    while time.time() < deadline:
                        k.read()
                        if any(e["event"] == "finished" and e["t_ms"] > t0 for e in k.events):
                            break
                        time.sleep(0.05)
                run.questions.append({"screen": arrival, "t0": t0})
            # Detour: q12 shows only for visitors who do not use the service.
            if qid == "q13" and "q12" not in seen and not q9_no:
                while k.now()["question"] != "q9":
                    cur = k.now()["question"]
                    k.click("nav.back")
                    k.wait(lambda s: s["screen"] == "question" and s["question"] != cur, f"the question before {cur}")
                k.click("opt.no") if k.item("opt.no")["in_view"] else k.key("Right")
                k.wait(lambda s: any(i["id"] == "opt.no" and i["value"] == "selected" for i in s["items"]), "No chosen")
                q9_no = True
                k.click("nav.next")
                k.wait(lambda s: s.get("question") == "q12", "q12")
                continue
            opts = [i for i in k.now()["items"] if i["id"].startswith("opt.")]
            if opts and run.large:
                # At 200% by touch, as a low-vision visitor does: the last answer
                # (not "Other", which asks for words), brought into view by
                # tapping the band that says how many are below.
                last = [i for i in opts if i["id"] != "opt.other"][-1]
                if last["value"] != "selected":
                    k.tap_answer(last["id"])
                run.tapped.append(f"{qid}:{last['id']}")
            elif opts and not any(i["value"] == "selected" for i in opts):
                focus = k.now()["focus"]
                if focus.startswith("opt."):
                    k.key("Return")  # the focused (first) answer
                    k.wait(lambda s: any(i["id"] == focus and i["value"] == "selected" for i in s["items"]),
                           f"{focus} chosen")
            k.click("nav.next")
            k.wait(lambda s: s.get("question") != qid or s["screen"] != "question", f"the question after {qid}")
        run.help.append(("review", help_positions(s)))
        k.click("nav.submit")
        s = k.wait(lambda s: s["screen"] == "thanks", "the thank-you screen")
        run.help.append(("thanks", help_positions(s)))
        t_end = time.time() + (6 if run.speech else 0.3)
        while time.time() < t_end:
            k.read()
            time.sleep(0.05)
        for q in run.questions:
            q["speech"] = speech_on(k, q["screen"]["key"])
    finally:
        k.close()
    run.audio = audible_seconds(k.audio) if run.speech else None


def check(run):
    base = None
    for where, pos in run.help:
        if not pos:
            run.problems.append(f"{where}: no help controls on screen")
            continue
        if base is None:
            base = (where, pos)
        elif pos != base[1]:
            run.problems.append(f"help controls moved: {where} {pos} vs {base[0]} {base[1]}")
    for q in run.questions:
        s = q["screen"]
        opts = [i for i in s["items"] if i["id"].startswith("opt.")]
        hidden = [i["label"] for i in opts if not i["in_view"]]
        if not run.large and not run.speech and hidden:
            run.problems.append(f"{s['question']}: at 100% out of view on arrival: {', '.join(hidden)}")
        if run.speech and hidden:
            run.problems.append(f"{s['question']}: with speech on, out of view on arrival: {', '.join(hidden)}")
        # Hidden answers are said by the band at the column's foot, with their number.
        below = [i for i in opts if not i["in_view"] and i["rect"][1] >= i["clip"][1]]
        cue = next((i for i in s["items"] if i["id"] == "question.more"), None)
        if below and (cue is None or str(len(below)) not in cue["label"]):
            run.problems.append(f"{s['question']}: {len(below)} answers below and no band counts them")
        # Nothing shown cut: an item partly in its area is a text showing whole lines.
        for i in s["items"]:
            x, y, w, h = i["rect"]
            cx, cy, cw, ch = i["clip"]
            top, bottom = max(y, cy), min(y + h, cy + ch)
            if bottom - top <= 0.5 or (cy - 0.5 <= y and y + h <= cy + ch + 0.5):
                continue
            lh = i.get("line_h", 0)
            whole = lh > 0 and all(abs((e - y) / lh - round((e - y) / lh)) * lh < 0.6 for e in (top, bottom))
            if not whole:
                run.problems.append(f"{s['question']}: \"{i['label'][:40]}\" ({i['id']}) is shown cut")


def report(run):
    print(f"\n== {run.title} ==")
    for where, pos in run.help[:1]:
        print("  help controls: " + "; ".join(f"{k} at x {v[0]} y {v[1]} ({v[2]}x{v[3]})" for k, v in sorted(pos.items())))
    moved = [p for p in run.problems if p.startswith("help controls moved")]
    print(f"  help controls on {len(run.help)} screens: " + ("MOVED" if moved else "same place on every one"))
    for q in run.questions:
        s = q["screen"]
        opts = [i for i in s["items"] if i["id"].startswith("opt.")]
        shown = [i for i in opts if i["in_view"]]
        words = [i for i in s["items"] if i["id"] in ("q.text", "q.title", "q.words")]
        # Wrapped words cannot run off sideways; what matters is above or below the fold.
        words_in_view = all(i["clip"][1] - 0.5 <= i["rect"][1] and
                            i["rect"][1] + i["rect"][3] <= i["clip"][1] + i["clip"][3] + 0.5 for i in words)
        line = f"  Q{s['position']:>2}/{s['total']} {s['question']:<4}"
        if opts:
            line += f" answers in view {len(shown)}/{len(opts)}"
            if len(shown) < len(opts):
                line += " (hidden: " + ", ".join(i["label"] for i in opts if not i["in_view"]) + ")"
        else:
            line += " a text box" + (" in view" if any(i["role"] == "text box" and i["in_view"] for i in s["items"]) else " NOT in view")
        if not words_in_view:
            line += "; question words go on below"
        if any(i["id"] == "question.more" for i in s["items"]):
            line += "; cue for more answers shown"
        print(line)
        if run.speech:
            for text, secs, how in q.get("speech", []):
                dur = f"{secs:.1f} s" if secs is not None else "?"
                print(f"      said ({dur}, {how}): {text[:150]}{'...' if len(text) > 150 else ''}")
    if run.speech and run.audio:
        rec, loud = run.audio
        print(f"  audio recorded: {rec:.1f} s, of it audible: {loud:.1f} s")
    if run.tapped:
        print(f"  chosen by a tap: {len(run.tapped)} answers, the last of each question")
    print(f"  problems: {len(run.problems)}")
    for p in run.problems:
        print(f"    - {p}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiosk", default=os.path.join(ROOT, "build/app/ui/kiosk"))
    ap.add_argument("--screen", default="1280x800")
    ap.add_argument("out", nargs="?", default=os.path.join(ROOT, "build/visitor-check"))
    args = ap.parse_args()
    for tool in ("Xvfb", "xdotool", "import"):
        if not shutil.which(tool):
            print(f"visitor_check: {tool} is missing (scripts/deps.sh installs it)", file=sys.stderr)
            return 2
    if not os.access(args.kiosk, os.X_OK):
        print(f"visitor_check: no kiosk binary at {args.kiosk} (build first)", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="visitor-check-")
    runs = [Run("100", f"100% text, {args.screen}", False, False),
            Run("200hc", f"200% text, high contrast, {args.screen}", True, False),
            Run("200hc-ur", f"200% text, high contrast, Urdu, {args.screen}", True, False, "ur"),
            Run("speech", f"speech on (turned on by keys), 100% text, {args.screen}", False, True)]
    started = time.time()
    x = Xvfb(args.screen)
    try:
        for run in runs:
            try:
                drive(os.path.abspath(args.kiosk), x.display, args.screen, work, args.out, run)
            except Failure as e:
                run.problems.append(f"the walk stopped: {e}")
            check(run)
            report(run)
    finally:
        x.close()
    total = sum(len(r.problems) for r in runs)
    print(f"\nvisitor check at {args.screen}: {sum(len(r.questions) for r in runs)} question screens in "
          f"{len(runs)} runs, {total} problem(s), {time.time() - started:.0f} s; screenshots in {args.out}; "
          f"dumps and logs in {work}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
