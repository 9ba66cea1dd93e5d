#!/bin/sh
# The kiosk as four visitors meet it: the real binary under its own Xvfb,
# driven with xdotool through the whole Bury survey at 100% text, at 200% text
# with high contrast in English and in Urdu (the last answer of every question
# chosen by touch, brought into view by tapping the band that counts the
# answers below), and with speech on (audio to a file). Prints per question
# the answers in view on arrival, where the help controls are, what was said
# and for how long; saves screenshots of every question in DIR.
#   scripts/visitor_check.sh [--screen WxH] [--kiosk BIN] [DIR]    (default DIR: build/visitor-check)
# Exits 1 if an answer is out of view at 100%, an answer below has no band
# counting it, anything is shown cut, a tap chooses nothing, or the help
# controls move between screens.
set -eu
exec python3 "$(dirname "$0")/visitor_check.py" "$@"
