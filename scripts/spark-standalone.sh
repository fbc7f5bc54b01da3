#!/usr/bin/env bash
# Runs `m3vit spark predict` against a real standalone Spark cluster: a master and one worker started on
# loopback from the jars the build put in spark/target/ (no Spark distribution needed), a tiny model, N
# random inputs; checks every output exists and equals the embedded local[1] run's, then stops both
# daemons. Usage: scripts/spark-standalone.sh [N_IMAGES]   (after mvn -B -q package -DskipTests)
# The measured run is in docs/spark.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-16}"
L="$ROOT/bin/m3vit"
S="$ROOT/spark/target"
[ -f "$S/m3vit-spark.jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
W="$(mktemp -d)"
PORT="${SPARK_MASTER_PORT:-17077}"
export SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1
# The worker builds its executors' classpath from $SPARK_HOME/jars (a RELEASE file marks a distribution):
# a directory of links to Spark, the core and the module stands in for one.
export SPARK_HOME="$W/spark-home" SPARK_SCALA_VERSION=2.13
mkdir -p "$SPARK_HOME/jars" "$W/work"
touch "$SPARK_HOME/RELEASE"
ln -s "$S"/spark-lib/*.jar "$S"/lib/*.jar "$S/m3vit-spark.jar" "$SPARK_HOME/jars/"
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED)
CP="$SPARK_HOME/jars/*"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
java "${OPENS[@]}" -Xmx512m -cp "$CP" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$PORT" --webui-port 0 >"$W/master.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do grep -q "I have been elected leader" "$W/master.log" && break; sleep 1; done
java "${OPENS[@]}" -Xmx512m -cp "$CP" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --cores 2 --memory 3g --work-dir "$W/work" --webui-port 0 "spark://127.0.0.1:$PORT" \
  >"$W/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do grep -q "Successfully registered with master" "$W/worker.log" && break; sleep 1; done
grep -q "Successfully registered with master" "$W/worker.log" || { echo "worker did not register" >&2; tail "$W/worker.log" >&2; exit 1; }

"$L" init-weights --config configs/synth/vit_moe/tiny_pascal.yml --out "$W/w.safetensors" >/dev/null
mkdir -p "$W/in"
python3 - "$W/in" "$N" <<'PY'
import os, random, struct, sys
d, n = sys.argv[1], int(sys.argv[2])
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64, 64), }"
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
rng = random.Random(3)
for i in range(n):
    with open(os.path.join(d, "img%03d.npy" % i), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
        f.write(struct.pack("<%df" % (3 * 64 * 64), *[rng.gauss(0, 1) for _ in range(3 * 64 * 64)]))
PY
echo "cluster run: $N images, semseg + normals, master spark://127.0.0.1:$PORT (1 worker, 2 cores)"
/usr/bin/time -f "cluster wall %e s" "$L" spark predict --weights "$W/w.safetensors" --input "$W/in" \
  --tasks semseg,normals --out "$W/out-cluster" --master "spark://127.0.0.1:$PORT" --partitions 2 --batch 4
/usr/bin/time -f "local[1] wall %e s" "$L" spark predict --weights "$W/w.safetensors" --input "$W/in" \
  --tasks semseg,normals --out "$W/out-local" --master "local[1]" --batch 4
if diff -r "$W/out-cluster" "$W/out-local" >/dev/null; then
  echo "OK: $(find "$W/out-cluster" -name '*.npy' | wc -l) outputs, identical to the embedded run"
else
  echo "FAIL: cluster and local outputs differ" >&2; diff -rq "$W/out-cluster" "$W/out-local" >&2; exit 1
fi
rm -rf "$W"
