#!/usr/bin/env bash
# End-to-end check of kafka.sh with the broker's own console tools, on a private state dir so a
# broker already running for tests is left alone: start → produce → pause → status fails →
# resume on the same port → produce → consume everything → stop → status fails.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K="$HERE/kafka.sh"
export FLOWENGINE_KAFKA_STATE_DIR="${TMPDIR:-/tmp}/flowengine-kafka-smoke-$$"
trap '"$K" stop >/dev/null 2>&1 || true; rm -f "$FLOWENGINE_KAFKA_STATE_DIR.lock"' EXIT

fail() { echo "smoke-kafka: FAIL: $*" >&2; exit 1; }
produce() { printf '%s\n' "$@" | "$K" run-class org.apache.kafka.tools.ConsoleProducer \
  --bootstrap-server "$addr" --topic smoke --producer-property acks=all 2>/dev/null; }

addr="$("$K" start | tail -n 1)"
[[ "$addr" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "start printed '$addr', expected 127.0.0.1:PORT"
[[ "$("$K" start | tail -n 1)" == "$addr" ]] || fail "a second start did not return the same broker"
produce one two three

"$K" pause
if "$K" status >/dev/null 2>&1; then fail "status exited 0 while paused"; fi
[[ "$("$K" resume | tail -n 1)" == "$addr" ]] || fail "resume did not come back on $addr"
produce four five

got="$("$K" run-class org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$addr" \
  --topic smoke --from-beginning --max-messages 5 --timeout-ms 30000 2>/dev/null | tr '\n' ' ')"
[[ "$got" == "one two three four five " ]] || fail "consumed '$got', expected 'one two three four five '"

"$K" stop
if "$K" status >/dev/null 2>&1; then fail "status exited 0 after stop"; fi
[[ ! -e "$FLOWENGINE_KAFKA_STATE_DIR" ]] || fail "stop left $FLOWENGINE_KAFKA_STATE_DIR behind"
echo "smoke-kafka: ok ($addr)"
