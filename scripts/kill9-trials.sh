#!/usr/bin/env bash
# Kill -9 trials of `m3vit train --checkpoint-every 1` on the packaged CLI (bin/m3vit).
#
#   scripts/kill9-trials.sh [TRIALS=10] [KILLS_PER_TRIAL=2]
#
# Renders a tiny synthetic PASCAL dataset, trains it once uninterrupted (the reference), then runs TRIALS
# trials: each launches the same training, SIGKILLs it at KILLS_PER_TRIAL random moments, resumes it from
# its checkpoint after each kill, and lets the last launch finish. A kill comes at a random moment (uniform
# in 0–1.5 s) after the launch has saved a new checkpoint, so that every kill hits training (steps,
# saves), not the JVM's start; a launch that finishes first is not killed. After every kill the checkpoint must
# be complete (checkpoint.json valid, both tensor files there with readable headers); at the end the final
# weights must equal the reference's tensor for tensor, byte for byte (metadata aside: it names the run dir).
# Prints the counts and exits non-zero if any trial failed. Builds target/m3vit.jar first if missing.
# Takes about 30 s per trial on 2 cores. The JUnit test Kill9Test runs one such trial in `mvn test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TRIALS="${1:-10}"
KILLS="${2:-2}"
if [ ! -f target/m3vit.jar ] || [ ! -d target/lib ]; then
  mvn -q -B package -DskipTests
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bin/m3vit synth --layout pascal --n 12 --size 32x32 --seed 3 --split-val 0.34 --threads 1 --out "$WORK/data" >/dev/null
ARGS=(train --config configs/synth/vit_moe/tiny_pascal.yml --img-size 32x32 --data-root "$WORK/data"
      --epochs 4 --tr-batch 2 --seed 7 --no-validate --threads 1 --checkpoint-every 1)

cat > "$WORK/check.py" <<'PY'
import json, os, struct, sys
def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
        h.pop("__metadata__", None)
        return h, 8 + n
def checkpoint(run):
    """'none', or the weights file of a complete checkpoint (raises if it is not complete)."""
    j = os.path.join(run, "checkpoint.json")
    if not os.path.exists(j):
        return "none"
    s = json.load(open(j))
    for k in ("weights", "optimizer"):
        header(os.path.join(run, s[k]))
    return os.path.join(run, s["weights"])
def tensors(path):
    h, start = header(path)
    data = open(path, "rb").read()[start:]
    return {k: (v["dtype"], v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in h.items()}
if sys.argv[1] == "step":
    try:
        print(json.load(open(os.path.join(sys.argv[2], "checkpoint.json")))["globalStep"])
    except Exception:
        print("none")
elif sys.argv[1] == "consistent":
    try:
        checkpoint(sys.argv[2]); print("ok")
    except Exception as e:
        print("broken", e)
else:
    a, b = tensors(checkpoint(sys.argv[2])), tensors(checkpoint(sys.argv[3]))
    print("identical" if a == b else "different")
PY

t0=$(date +%s%N)
bin/m3vit "${ARGS[@]}" --save-dir "$WORK/ref" >"$WORK/ref.log" 2>&1 || { cat "$WORK/ref.log"; exit 1; }
DUR_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "reference run: ${DUR_MS} ms"

identical=0; different=0; failed=0; kills_total=0; broken=0; resumes=0
for t in $(seq 1 "$TRIALS"); do
  run="$WORK/trial$t"
  kills=0; ok=1
  while true; do
    extra=()
    if [ -f "$run/checkpoint.json" ]; then extra=(--resume "$run"); resumes=$((resumes + 1)); fi
    bin/m3vit "${ARGS[@]}" --save-dir "$run" "${extra[@]}" >>"$WORK/trial$t.log" 2>&1 &
    pid=$!
    if [ "$kills" -lt "$KILLS" ]; then
      before=$(python3 "$WORK/check.py" step "$run")
      while kill -0 "$pid" 2>/dev/null && [ "$(python3 "$WORK/check.py" step "$run")" = "$before" ]; do
        sleep 0.05
      done
      ms=$(( RANDOM % 1500 ))
      sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
      if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        kills=$((kills + 1)); kills_total=$((kills_total + 1))
        state=$(python3 "$WORK/check.py" consistent "$run")
        if [ "$state" != "ok" ]; then broken=$((broken + 1)); echo "trial $t: $state"; fi
        continue
      fi
    fi
    if ! wait "$pid"; then ok=0; fi
    break
  done
  if [ "$ok" = 1 ]; then
    verdict=$(python3 "$WORK/check.py" compare "$WORK/ref" "$run")
  else
    verdict="failed"; tail -3 "$WORK/trial$t.log"
  fi
  case "$verdict" in
    identical) identical=$((identical + 1)) ;;
    different) different=$((different + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
  echo "trial $t: $kills kill(s), $verdict"
done
echo "trials: $TRIALS, kills: $kills_total, resumes: $resumes," \
     "unreadable checkpoints: $broken, bit-identical to the uninterrupted run: $identical, different: $different," \
     "failed: $failed"
[ "$identical" = "$TRIALS" ] && [ "$broken" = 0 ]
