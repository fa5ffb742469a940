#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on loopback, for
# tests, development and the bench. Jars come from Maven Central through `mvn` and are cached in
# tools/services/.cache/ (git-ignored), so only the first start needs the network.
#
#   kafka.sh start         start (or find running) broker; last stdout line: 127.0.0.1:PORT
#   kafka.sh status        print the address and exit 0 if running, else exit 1
#   kafka.sh stop          stop the broker and delete its data
#   kafka.sh pause         stop the broker process, keep its data and port (for restart tests)
#   kafka.sh resume        start a paused broker again on the same port with the same data
#   kafka.sh fetch         only download the jars into the cache
#   kafka.sh classpath     print the classpath (jars) of the broker and tools
#   kafka.sh run-class CLASS [ARGS...]   run a Kafka class (perf/console tools) on that classpath
#   kafka.sh logs          print the path of the broker's log file
#
# Environment: FLOWENGINE_KAFKA_VERSION (default 4.1.0), FLOWENGINE_KAFKA_STATE_DIR (default
# /tmp/flowengine-kafka), FLOWENGINE_KAFKA_START_TIMEOUT (seconds, default 120),
# FLOWENGINE_KAFKA_HEAP (default 512m). See README.md beside this file.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${FLOWENGINE_KAFKA_VERSION:-4.1.0}"
# Log4j 2 as Kafka 4.1.0 itself ships it; the SLF4J 2 binding works for Kafka's SLF4J 1.7 calls.
LOG4J_VERSION="2.24.3"
SLF4J_VERSION="2.0.17"
CACHE="$HERE/.cache/kafka-$VERSION"
LIB="$CACHE/lib"
# Absolute, because the running broker is recognised by the config path on its command line.
STATE="$(realpath -m "${FLOWENGINE_KAFKA_STATE_DIR:-/tmp/flowengine-kafka}")"
START_TIMEOUT="${FLOWENGINE_KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT=30
HEAP="${FLOWENGINE_KAFKA_HEAP:-512m}"

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# --- jars -----------------------------------------------------------------------------------

# Resolve the broker, the tools (perf/console classes) and a Log4j 2 backend with their
# transitive runtime dependencies, and copy them flat into $LIB. A marker file makes the cache
# all-or-nothing: an interrupted download is redone, a complete one never touches the network.
fetch_jars() {
  [[ -f "$CACHE/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found on PATH; install Maven 3 (apt-get install maven)"
  mkdir -p "$CACHE"
  # Own lock: several state dirs (or run-class) may share one cache.
  exec 8>"$CACHE.lock"
  flock -w 900 8 || die "timed out waiting for $CACHE.lock"
  [[ -f "$CACHE/.complete" ]] && { exec 8>&-; return 0; }
  cat >"$CACHE/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.flowengine.tools</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>$VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  log "downloading Apache Kafka $VERSION jars from Maven Central (first start only)..."
  rm -rf "$LIB.tmp"
  if ! mvn -q -B -f "$CACHE/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIB.tmp" >"$CACHE/mvn.log" 2>&1; then
    tail -n 30 "$CACHE/mvn.log" >&2
    die "mvn could not fetch the Kafka $VERSION jars (full log: $CACHE/mvn.log)"
  fi
  rm -rf "$LIB" && mv "$LIB.tmp" "$LIB"
  touch "$CACHE/.complete"
  exec 8>&-
  log "cached $(ls "$LIB" | wc -l) jars in $LIB"
}

classpath() { echo "$LIB/*:$CACHE/classes"; }

# The readiness probe is compiled once per cache (javac is on every JDK; ~1 s).
compile_helper() {
  local src="$HERE/KafkaReady.java" out="$CACHE/classes/KafkaReady.class"
  if [[ ! -f "$out" || "$src" -nt "$out" ]]; then
    command -v javac >/dev/null || die "javac not found; a JDK 17+ is needed (apt-get install openjdk-17-jdk-headless)"
    mkdir -p "$CACHE/classes"
    javac -nowarn -cp "$LIB/*" -d "$CACHE/classes" "$src"
  fi
}

require_java() {
  command -v java >/dev/null || die "java not found; a JDK 17+ is needed (apt-get install openjdk-17-jdk-headless)"
}

# --- state ----------------------------------------------------------------------------------

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
read_state() { cat "$STATE/$1" 2>/dev/null || true; }

running_pid() {
  local pid
  pid="$(read_state pid)"
  # Guard against pid reuse: the process must be our broker, started with our config file.
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$STATE/server.properties"; then
    echo "$pid"
  fi
}

address() { echo "127.0.0.1:$(read_state port)"; }

# Two free loopback ports, asked of the kernel (port 0) so parallel runs never collide.
free_ports() {
  node -e '
    const net = require("node:net");
    const take = () => new Promise((ok, ko) => { const s = net.createServer(); s.unref();
      s.on("error", ko); s.listen(0, "127.0.0.1", () => { const p = s.address().port; ok([s, p]); }); });
    Promise.all([take(), take()]).then((xs) => { for (const [s] of xs) s.close(); console.log(xs.map((x) => x[1]).join(" ")); });'
}

write_config() {
  local port="$1" cport="$2"
  mkdir -p "$STATE/data" "$STATE/logs"
  cat >"$STATE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE/data
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
# One partition for the internal topics: a single broker gains nothing from 50 and the first
# consumer group would wait for all of them to be created.
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$STATE/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $STATE/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  echo "$port" >"$STATE/port"
  echo "$cport" >"$STATE/controller_port"
}

format_storage() {
  local id
  # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
  id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  if ! java -Xmx256m -Dlog4j2.configurationFile="$STATE/log4j2.properties" -cp "$(classpath)" \
      kafka.tools.StorageTool format --standalone -t "$id" -c "$STATE/server.properties" \
      >"$STATE/logs/format.log" 2>&1; then
    cat "$STATE/logs/format.log" >&2
    die "formatting KRaft storage in $STATE/data failed"
  fi
}

launch() {
  local port pid
  port="$(read_state port)"
  if node -e 'const s=require("node:net").connect(+process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$port"; then
    die "port $port on 127.0.0.1 is taken by another process; cannot start the broker there"
  fi
  # setsid: the broker outlives this script and is not hit by a Ctrl-C or SIGHUP sent to the
  # caller's process group. All output goes to files so a caller's pipes close when we exit.
  setsid java -Xms128m -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STATE/log4j2.properties" \
    -cp "$(classpath)" kafka.Kafka "$STATE/server.properties" \
    >"$STATE/logs/stdout.log" 2>&1 </dev/null 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$STATE/pid"
  rm -f "$STATE/paused"
  if ! java -Xmx128m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$STATE/log4j2-tools.properties" \
      -cp "$(classpath)" KafkaReady "$(address)" "$((START_TIMEOUT * 1000))" "$pid" 2>"$STATE/logs/ready.log"; then
    cat "$STATE/logs/ready.log" >&2
    log "last lines of $STATE/logs/server.log:"
    tail -n 40 "$STATE/logs/server.log" >&2 2>/dev/null || tail -n 40 "$STATE/logs/stdout.log" >&2 || true
    kill_broker "$pid"
    die "broker did not become ready within ${START_TIMEOUT}s (state: $STATE)"
  fi
}

# Quiet Log4j 2 config for the probe and run-class tools: warnings to stderr only.
write_tools_log_config() {
  cat >"$1" <<EOF
status = warn
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
EOF
}

# SIGTERM lets Kafka shut down cleanly (flush, close the log); SIGKILL only past the deadline.
kill_broker() {
  local pid="$1" i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  log "broker $pid ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do sleep 0.1; done
}

# --- commands -------------------------------------------------------------------------------

cmd_start() {
  if [[ -n "$(running_pid)" ]]; then
    address
    return 0
  fi
  require_java
  fetch_jars
  compile_helper
  # Anything left here belongs to a dead or paused broker: start over from empty storage.
  rm -rf "$STATE/data" "$STATE/logs" "$STATE/pid" "$STATE/paused"
  mkdir -p "$STATE"
  write_tools_log_config "$STATE/log4j2-tools.properties"
  local ports
  read -r -a ports <<<"$(free_ports)"
  write_config "${ports[0]}" "${ports[1]}"
  format_storage
  launch
  log "broker ready at $(address) (pid $(read_state pid), logs $STATE/logs/server.log)"
  address
}

cmd_status() {
  if [[ -n "$(running_pid)" ]]; then
    address
    return 0
  fi
  if [[ -f "$STATE/paused" ]]; then log "paused (resume with: kafka.sh resume)"; else log "not running"; fi
  return 1
}

cmd_stop() {
  local pid
  pid="$(running_pid)"
  [[ -n "$pid" ]] && kill_broker "$pid"
  rm -rf "$STATE"
  log "stopped"
}

cmd_pause() {
  local pid
  pid="$(running_pid)"
  [[ -n "$pid" ]] || die "no running broker to pause (state: $STATE)"
  kill_broker "$pid"
  touch "$STATE/paused"
  log "paused; data kept in $STATE/data, port $(read_state port) reserved for resume"
}

cmd_resume() {
  if [[ -n "$(running_pid)" ]]; then
    address
    return 0
  fi
  [[ -f "$STATE/server.properties" && -d "$STATE/data" ]] \
    || die "nothing to resume in $STATE (start a broker with: kafka.sh start)"
  require_java
  fetch_jars
  compile_helper
  write_tools_log_config "$STATE/log4j2-tools.properties"
  launch
  log "broker resumed at $(address)"
  address
}

cmd_run_class() {
  [[ $# -ge 1 ]] || die "usage: kafka.sh run-class CLASS [ARGS...]"
  require_java
  fetch_jars
  local cfg="$CACHE/log4j2-tools.properties"
  [[ -f "$cfg" ]] || write_tools_log_config "$cfg"
  exec java -Xmx"$HEAP" -Dlog4j2.configurationFile="$cfg" -cp "$(classpath)" "$@"
}

# Serialize commands on one state dir: parallel test setups must not race two brokers.
with_lock() {
  mkdir -p "$(dirname "$STATE")"
  exec 9>"$STATE.lock"
  flock -w "$((START_TIMEOUT + STOP_TIMEOUT + 600))" 9 || die "timed out waiting for the lock $STATE.lock"
  "$@"
}

case "${1:-}" in
  start) with_lock cmd_start ;;
  status) cmd_status ;;
  stop) with_lock cmd_stop ;;
  pause) with_lock cmd_pause ;;
  resume) with_lock cmd_resume ;;
  fetch) with_lock fetch_jars ;;
  classpath) fetch_jars >&2; classpath ;;
  run-class) shift; cmd_run_class "$@" ;;
  logs) echo "$STATE/logs/server.log" ;;
  *)
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
