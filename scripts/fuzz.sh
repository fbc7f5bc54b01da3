#!/usr/bin/env bash
# Fuzzes m3vit's parsers with Jazzer (JAZZER_FUZZ=1), one fuzz test after the other.
#
#   scripts/fuzz.sh [TARGET...]
#
# Each target fuzzes for the maxDuration of its @FuzzTest annotation (60 s).
# Targets are the @FuzzTest methods of src/test/java/org/m3vit/reliability/ParsersFuzzTest.java:
# safetensors npy mat yamlConfig image splitFile checkpointJson metricsJsonl (default: all).
# The property (see that class): every input gives a valid result or a short IllegalArgumentException.
# A finding fails the run; Jazzer saves the input as crash-<hash> in
# src/test/resources/org/m3vit/reliability/ParsersFuzzTestInputs/<target>/, so the normal `mvn test`
# replays it from then on: fix the bug, and commit the input as a regression input.
# The corpus Jazzer grows while fuzzing is kept in .cifuzz-corpus/ (not committed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(safetensors npy mat yamlConfig image splitFile checkpointJson metricsJsonl)
fi
status=0
for t in "${TARGETS[@]}"; do
  echo "== fuzzing $t"
  if ! JAZZER_FUZZ=1 mvn -o -q -B test -Dtest="ParsersFuzzTest#$t" -Dfuzz.regression.skip=true; then
    echo "== $t: FINDING (see the crash-* input named above)"
    status=1
  else
    echo "== $t: no finding"
  fi
done
exit "$status"
