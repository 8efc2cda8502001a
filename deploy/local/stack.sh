#!/usr/bin/env bash
# The lexstream local stack without Docker: Apache Kafka (KRaft, one node), Elasticsearch 8
# (one node) and an S3 API server (S3Proxy, filesystem back end), all on 127.0.0.1.
#
#   stack.sh fetch   [component...]   download once into .stack/dist/ (Maven Central only)
#   stack.sh start   [component...]   fetch if needed, start, wait until healthy
#   stack.sh stop    [component...]   stop what start started (TERM, wait, KILL); data is kept
#   stack.sh status  [component...]   one line per component
#   stack.sh wait    [component...]   wait until the running components are healthy
#   stack.sh versions                 e.g. "kafka=4.1.1 elasticsearch=8.19.4 s3=s3proxy 4.1.0"
#
# Components: kafka, elasticsearch, s3 (none given: all); with LEXSTREAM_STACK_OBSERVE=1 (the
# observability profile, `make up`/`make test` set it unless OBSERVE=0) also prometheus (Debian's
# 2.42, rules from deploy/prometheus/rules) and jaeger (v2, built once from its Go module by
# deploy/local/build-jaeger.sh and cached in .stack/bin; it is also the services' OTLP
# collector: traces stored, metrics exported to Prometheus). See deploy/local/README.md.
# Kafka also has a SASL_SSL listener (SCRAM-SHA-512, its certificate from a CA made under
# .stack/conf/kafka/tls) on LEXSTREAM_STACK_KAFKA_SECURE_PORT (9094; 0 turns it off).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STACK_DIR=${LEXSTREAM_STACK_DIR:-$REPO_ROOT/.stack}
DIST_DIR=$STACK_DIR/dist
RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/logs
DATA_DIR=$STACK_DIR/data
CONF_DIR=$STACK_DIR/conf

JAVA_HOME_17=${LEXSTREAM_STACK_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JAVA=$JAVA_HOME_17/bin/java
MVN=${LEXSTREAM_STACK_MVN:-mvn}

KAFKA_PORT=${LEXSTREAM_STACK_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${LEXSTREAM_STACK_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${LEXSTREAM_STACK_KAFKA_HEAP:-512m}
KAFKA_SECURE_PORT=${LEXSTREAM_STACK_KAFKA_SECURE_PORT:-9094}
KAFKA_SCRAM_USER=${LEXSTREAM_STACK_KAFKA_SCRAM_USER:-lexstream}
KAFKA_SCRAM_PASSWORD=${LEXSTREAM_STACK_KAFKA_SCRAM_PASSWORD:-lexstream-scram-secret}
ES_PORT=${LEXSTREAM_STACK_ES_PORT:-9200}
ES_TRANSPORT_PORT=${LEXSTREAM_STACK_ES_TRANSPORT_PORT:-9300}
ES_HEAP=${LEXSTREAM_STACK_ES_HEAP:-1g}
S3_PORT=${LEXSTREAM_STACK_S3_PORT:-9000}
S3_HEAP=${LEXSTREAM_STACK_S3_HEAP:-256m}
S3_ACCESS_KEY=${LEXSTREAM_S3_ACCESS_KEY:-lexstream}
S3_SECRET_KEY=${LEXSTREAM_S3_SECRET_KEY:-lexstream-secret}
S3_REGION=${LEXSTREAM_S3_REGION:-us-east-1}
PROMETHEUS_PORT=${LEXSTREAM_STACK_PROMETHEUS_PORT:-9090}
PROMETHEUS_BIN=${LEXSTREAM_STACK_PROMETHEUS_BIN:-prometheus}
# how often Prometheus scrapes and evaluates its rules locally (15s in deployments)
PROMETHEUS_INTERVAL=${LEXSTREAM_STACK_PROMETHEUS_INTERVAL:-5s}
PROMETHEUS_RETENTION=${LEXSTREAM_STACK_PROMETHEUS_RETENTION:-2d}
JAEGER_VERSION=${LEXSTREAM_JAEGER_VERSION:-v1.76.0}
JAEGER_BIN=${LEXSTREAM_STACK_JAEGER_BIN:-$STACK_DIR/bin/jaeger-$JAEGER_VERSION}
JAEGER_QUERY_PORT=${LEXSTREAM_STACK_JAEGER_QUERY_PORT:-16686}
JAEGER_QUERY_GRPC_PORT=${LEXSTREAM_STACK_JAEGER_QUERY_GRPC_PORT:-16685}
JAEGER_OTLP_GRPC_PORT=${LEXSTREAM_STACK_JAEGER_OTLP_GRPC_PORT:-4317}
JAEGER_OTLP_HTTP_PORT=${LEXSTREAM_STACK_JAEGER_OTLP_HTTP_PORT:-4318}
JAEGER_HEALTH_PORT=${LEXSTREAM_STACK_JAEGER_HEALTH_PORT:-13133}
JAEGER_TELEMETRY_PORT=${LEXSTREAM_STACK_JAEGER_TELEMETRY_PORT:-8888}
JAEGER_METRICS_PORT=${LEXSTREAM_STACK_JAEGER_METRICS_PORT:-8889}
# a service that stopped disappears from the exported metrics after this long
JAEGER_METRIC_EXPIRATION=${LEXSTREAM_STACK_METRIC_EXPIRATION:-2m}
HEALTH_TIMEOUT=${LEXSTREAM_STACK_TIMEOUT:-180}
STOP_TIMEOUT=${LEXSTREAM_STACK_STOP_TIMEOUT:-30}

ALL_COMPONENTS=(kafka elasticsearch s3)
OBSERVE_COMPONENTS=(prometheus jaeger)
if [[ ${LEXSTREAM_STACK_OBSERVE:-0} == 1 ]]; then
    ALL_COMPONENTS+=("${OBSERVE_COMPONENTS[@]}")
fi

log() { printf '[stack] %s\n' "$*" >&2; }
die() {
    printf '[stack] error: %s\n' "$*" >&2
    exit 1
}

# Versions live in the poms (one source of truth for fetch and for `versions`).
pom_property() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$SCRIPT_DIR/$1/pom.xml" | head -n 1; }
KAFKA_VERSION=$(pom_property kafka kafka.version)
ES_VERSION=$(pom_property elasticsearch elasticsearch.version)
S3PROXY_VERSION=$(pom_property s3 s3proxy.version)
ES_HOME=$DIST_DIR/elasticsearch/elasticsearch-$ES_VERSION

component_port() {
    case $1 in
        kafka) echo "$KAFKA_PORT" ;;
        elasticsearch) echo "$ES_PORT" ;;
        s3) echo "$S3_PORT" ;;
        prometheus) echo "$PROMETHEUS_PORT" ;;
        jaeger) echo "$JAEGER_QUERY_PORT" ;;
    esac
}

component_ports() { # every port the component listens on
    case $1 in
        jaeger) echo "$JAEGER_QUERY_PORT $JAEGER_QUERY_GRPC_PORT $JAEGER_OTLP_GRPC_PORT $JAEGER_OTLP_HTTP_PORT $JAEGER_HEALTH_PORT $JAEGER_TELEMETRY_PORT $JAEGER_METRICS_PORT" ;;
        *) component_port "$1" ;;
    esac
}

component_version() {
    case $1 in
        kafka) echo "$KAFKA_VERSION" ;;
        elasticsearch) echo "$ES_VERSION" ;;
        s3) echo "s3proxy $S3PROXY_VERSION" ;;
        prometheus) prometheus_version ;;
        jaeger) echo "$JAEGER_VERSION" ;;
    esac
}

# Expands "no argument" to every component and rejects unknown names.
parse_components() {
    if (($# == 0)); then
        printf '%s\n' "${ALL_COMPONENTS[@]}"
        return
    fi
    local c
    for c in "$@"; do
        case $c in
            kafka | elasticsearch | s3 | prometheus | jaeger) echo "$c" ;;
            es) echo elasticsearch ;;
            *) die "unknown component '$c' (expected: ${ALL_COMPONENTS[*]} ${OBSERVE_COMPONENTS[*]})" ;;
        esac
    done
}

require_java() {
    [[ -x $JAVA ]] || die "Java 17 not found at $JAVA_HOME_17 (apt-get install openjdk-17-jre-headless, or set LEXSTREAM_STACK_JAVA_HOME)"
}

# ---------------------------------------------------------------------------------------
# fetch: everything comes from Maven Central through mvn; a stamp file marks a finished copy.
# ---------------------------------------------------------------------------------------

mvn_run() { # component goal args...: resolves deploy/local/COMPONENT/pom.xml, builds nothing
    command -v "$MVN" >/dev/null || die "mvn not found (apt-get install maven)"
    local component=$1
    shift
    rm -rf "$DIST_DIR/.build/$component"
    local output
    if ! output=$(JAVA_HOME=$JAVA_HOME_17 "$MVN" -B -q -Dstyle.color=never \
        -Dmaven.repo.local="$DIST_DIR/m2" -Dstack.build.dir="$DIST_DIR/.build/$component" \
        -f "$SCRIPT_DIR/$component/pom.xml" "$@" 2>&1); then
        printf '%s\n' "$output" >&2
        die "maven could not fetch $component"
    fi
}

fetch_classpath() { # component version
    local component=$1 version=$2 target=$DIST_DIR/$1
    if [[ -f $target/.fetched-$version ]]; then
        return
    fi
    log "fetching $component $version from Maven Central"
    rm -rf "$target.partial"
    mvn_run "$component" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$target.partial/lib"
    rm -rf "$target"
    mv "$target.partial" "$target"
    touch "$target/.fetched-$version"
}

fetch_elasticsearch() {
    if [[ ! -f $ES_HOME/.fetched-$ES_VERSION ]]; then
        log "fetching elasticsearch $ES_VERSION from Maven Central"
        local partial=$DIST_DIR/elasticsearch/.partial
        rm -rf "$partial" "$ES_HOME"
        mvn_run elasticsearch dependency:unpack-dependencies \
            -DoutputDirectory="$partial"
        mv "$partial/elasticsearch-$ES_VERSION" "$ES_HOME"
        rm -rf "$partial"
        touch "$ES_HOME/.fetched-$ES_VERSION"
    fi
    build_es_plugin
}

# Compiles deploy/local/elasticsearch/plugin (language analyzers, path_hierarchy, GET /) against
# the fetched distribution; rebuilt whenever its source changes. Needs a JDK, downloads nothing.
build_es_plugin() {
    local src=$SCRIPT_DIR/elasticsearch/plugin target=$ES_HOME/plugins/lexstream-local
    local digest
    digest=$(cd "$src" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
    if [[ -f $target/.source-$digest ]]; then
        return
    fi
    local javac=$JAVA_HOME_17/bin/javac jar=$JAVA_HOME_17/bin/jar
    [[ -x $javac ]] || die "javac not found in $JAVA_HOME_17 (apt-get install openjdk-17-jdk-headless)"
    log "building the lexstream-local Elasticsearch plugin"
    local build
    build=$(mktemp -d)
    local sources=()
    mapfile -t sources < <(find "$src/src" -name '*.java')
    "$javac" --release 17 -nowarn -cp "$ES_HOME/lib/*" -d "$build/classes" "${sources[@]}"
    rm -rf "$target"
    mkdir -p "$target"
    "$jar" cf "$target/lexstream-local.jar" -C "$build/classes" .
    sed "s/@ES_VERSION@/$ES_VERSION/g" "$src/plugin-descriptor.properties" >"$target/plugin-descriptor.properties"
    rm -rf "$build"
    touch "$target/.source-$digest"
}

fetch_component() {
    case $1 in
        kafka) fetch_classpath kafka "$KAFKA_VERSION" ;;
        elasticsearch) fetch_elasticsearch ;;
        s3) fetch_classpath s3 "$S3PROXY_VERSION" ;;
        prometheus) require_prometheus ;;
        jaeger) LEXSTREAM_JAEGER_VERSION=$JAEGER_VERSION "$SCRIPT_DIR/build-jaeger.sh" >/dev/null ;;
    esac
}

is_fetched() {
    case $1 in
        kafka) [[ -f $DIST_DIR/kafka/.fetched-$KAFKA_VERSION ]] ;;
        elasticsearch) [[ -f $ES_HOME/.fetched-$ES_VERSION ]] ;;
        s3) [[ -f $DIST_DIR/s3/.fetched-$S3PROXY_VERSION ]] ;;
        prometheus) command -v "$PROMETHEUS_BIN" >/dev/null ;;
        jaeger) [[ -x $JAEGER_BIN ]] ;;
    esac
}

# ---------------------------------------------------------------------------------------
# processes: each Java command line carries -Dlexstream.stack.component=NAME and a path under
# $STACK_DIR, so a pid file is only trusted when the process behind it is really ours.
# ---------------------------------------------------------------------------------------

pid_file() { echo "$RUN_DIR/$1.pid"; }

is_ours() { # pid component
    local cmdline
    [[ -r /proc/$1/cmdline ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$STACK_DIR"* ]] || return 1
    # Java components carry a marker property; the Go ones name their config under conf/NAME/
    [[ $cmdline == *"-Dlexstream.stack.component=$2 "* || $cmdline == *"--config"*"$CONF_DIR/$2/"* ]]
}

running_pid() { # component -> prints the pid when it runs; removes a stale pid file
    local file pid
    file=$(pid_file "$1")
    [[ -f $file ]] || return 1
    pid=$(head -n 1 "$file")
    if [[ $pid =~ ^[0-9]+$ ]] && is_ours "$pid" "$1"; then
        echo "$pid"
        return 0
    fi
    rm -f "$file"
    return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

launch() { # component logfile command...
    local component=$1 logfile=$2
    shift 2
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    printf '\n==== %s start %s ====\n' "$component" "$(date -Is)" >>"$logfile"
    nohup "$@" >>"$logfile" 2>&1 </dev/null &
    local pid=$! deadline=$((SECONDS + 15))
    echo "$pid" >"$(pid_file "$component")"
    # The command may pass through wrappers (nohup, unshare, a launcher script) before it
    # execs java; wait until the pid shows the marker so later checks do not think it died.
    while ! is_ours "$pid" "$component" && kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------------------
# kafka
# ---------------------------------------------------------------------------------------

kafka_secure() { [[ $KAFKA_SECURE_PORT != 0 ]]; }

# The secured listener's TLS material, made once and kept (clients trust tls/ca.pem): a local
# CA and a server certificate for 127.0.0.1/localhost it signed, as the PKCS12 keystore
# Kafka reads. Remade when missing or within a day of expiry.
kafka_tls_material() {
    local dir=$CONF_DIR/kafka/tls
    if [[ -f $dir/server.p12 && -f $dir/keystore.password ]] &&
        openssl x509 -checkend 86400 -noout -in "$dir/server.pem" >/dev/null 2>&1 &&
        openssl x509 -checkend 86400 -noout -in "$dir/ca.pem" >/dev/null 2>&1; then
        return
    fi
    command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
    log "making the TLS certificates of Kafka's secured listener in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    (
        umask 077
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=lexstream local CA" \
            -keyout ca.key -out ca.pem \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout server.key -out server.csr 2>/dev/null
        printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid,issuer" >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
            -extfile server.ext -out server.pem 2>/dev/null
        openssl rand -hex 16 >keystore.password
        openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name kafka \
            -passout "file:keystore.password" -out server.p12
        rm -f server.csr server.ext ca.srl
        chmod 644 ca.pem
    ) || die "could not make Kafka's TLS certificates in $dir"
}

# The lines of server.properties for the SASL_SSL listener (none when it is turned off).
kafka_secure_properties() {
    kafka_secure || return 0
    local tls=$CONF_DIR/kafka/tls prefix=listener.name.sasl_ssl
    local scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
    printf '%s\n' \
        "$prefix.sasl.enabled.mechanisms=SCRAM-SHA-512" \
        "$prefix.scram-sha-512.sasl.jaas.config=$scram" \
        "$prefix.ssl.keystore.type=PKCS12" \
        "$prefix.ssl.keystore.location=$tls/server.p12" \
        "$prefix.ssl.keystore.password=$(cat "$tls/keystore.password")" \
        "$prefix.ssl.client.auth=none"
}

# SCRAM credentials live in the cluster metadata, so storage formatted before the secured
# listener existed has none: they are upserted once the broker answers (kafka-configs over
# the plaintext listener), and a stamp of the user and password skips that on later starts.
ensure_kafka_scram_user() {
    kafka_secure || return 0
    local digest stamp
    digest=$(printf '%s\n%s' "$KAFKA_SCRAM_USER" "$KAFKA_SCRAM_PASSWORD" | sha256sum | cut -c1-16)
    stamp=$DATA_DIR/kafka/.scram-$digest
    [[ -f $stamp ]] && return 0
    log "creating the SCRAM user '$KAFKA_SCRAM_USER' of Kafka's secured listener"
    "$JAVA" -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.properties" \
        -cp "$DIST_DIR/kafka/lib/*" kafka.admin.ConfigCommand \
        --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter --entity-type users \
        --entity-name "$KAFKA_SCRAM_USER" \
        --add-config "SCRAM-SHA-512=[password=$KAFKA_SCRAM_PASSWORD]" \
        >>"$LOG_DIR/kafka.log" 2>&1 ||
        die "could not create the Kafka SCRAM user (see $LOG_DIR/kafka.log)"
    rm -f "$DATA_DIR"/kafka/.scram-*
    touch "$stamp"
}

start_kafka() {
    local conf=$CONF_DIR/kafka data=$DATA_DIR/kafka
    mkdir -p "$conf" "$data" "$LOG_DIR/kafka"
    local listeners="PLAINTEXT://127.0.0.1:$KAFKA_PORT"
    local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    if kafka_secure; then
        ! port_in_use "$KAFKA_SECURE_PORT" ||
            die "port $KAFKA_SECURE_PORT (Kafka's secured listener) is taken; set LEXSTREAM_STACK_KAFKA_SECURE_PORT (0 turns it off)"
        kafka_tls_material
        listeners+=",SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT"
        protocols+=",SASL_SSL:SASL_SSL"
    fi
    (
        umask 077 # the keystore password is in it
        cat >"$conf/server.properties" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$listeners,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=$listeners
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
$(kafka_secure_properties)
log.dirs=$data
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
EOF
        chmod 600 "$conf/server.properties" # also when an older start made it readable
    )
    local classpath="$DIST_DIR/kafka/lib/*"
    if [[ ! -f $data/meta.properties ]]; then
        local cluster_id
        cluster_id=$("$JAVA" -cp "$classpath" kafka.tools.StorageTool random-uuid)
        log "formatting Kafka storage (cluster id $cluster_id)"
        "$JAVA" -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.properties" -cp "$classpath" \
            kafka.tools.StorageTool format -t "$cluster_id" -c "$conf/server.properties" \
            >>"$LOG_DIR/kafka.log" 2>&1 || die "kafka storage format failed (see $LOG_DIR/kafka.log)"
    fi
    launch kafka "$LOG_DIR/kafka.log" "$JAVA" \
        -Dlexstream.stack.component=kafka \
        "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true \
        -Dkafka.logs.dir="$LOG_DIR/kafka" \
        -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.properties" \
        -cp "$classpath" kafka.Kafka "$conf/server.properties"
}

# The Kafka probe speaks the protocol (a metadata request via aiokafka), not just TCP.
KAFKA_PROBE_READY=""
check_kafka() {
    # The project's own virtual environment (made by `make up` / `make test`), so the probe
    # needs neither uv on PATH nor a shell that activated anything.
    local python=("$REPO_ROOT/.venv/bin/python")
    if [[ -n ${LEXSTREAM_STACK_PYTHON:-} ]]; then
        python=("$LEXSTREAM_STACK_PYTHON")
    fi
    if [[ -z $KAFKA_PROBE_READY ]]; then
        [[ -x ${python[0]} ]] ||
            die "the Kafka health probe needs the project's Python environment, and ${python[0]} does not exist: run 'make up' (it installs uv and the environment) or set LEXSTREAM_STACK_PYTHON"
        "${python[@]}" -c 'import aiokafka' >/dev/null 2>&1 ||
            die "${python[0]} cannot import aiokafka: the environment is incomplete; run 'make up' again (or set LEXSTREAM_STACK_PYTHON)"
        KAFKA_PROBE_READY=1
    fi
    "${python[@]}" "$SCRIPT_DIR/check_kafka.py" "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------
# elasticsearch
# ---------------------------------------------------------------------------------------

start_elasticsearch() {
    local conf=$CONF_DIR/elasticsearch
    mkdir -p "$conf/jvm.options.d" "$DATA_DIR/elasticsearch" "$LOG_DIR/elasticsearch"
    # jvm.options and log4j2.properties come from the distribution (refreshed on every start).
    cp "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$conf/"
    cat >"$conf/elasticsearch.yml" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this file.
cluster.name: lexstream-local
node.name: lexstream-local-1
path.data: $DATA_DIR/elasticsearch
path.logs: $LOG_DIR/elasticsearch
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.type: single-node
xpack.security.enabled: false
# A nearly full developer disk must not turn the indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
    printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" >"$conf/jvm.options.d/lexstream-heap.options"

    # Elasticsearch refuses to run as root. As root, run it in a user namespace where it is
    # uid 1000: its files are still root's on disk and no chown is needed.
    local wrapper=()
    if [[ $(id -u) == 0 ]]; then
        unshare --user --map-user=1000 --map-group=1000 true 2>/dev/null ||
            die "running as root and 'unshare --user' is not permitted here; run stack.sh as a normal user"
        wrapper=(unshare --user --map-user=1000 --map-group=1000)
    fi
    rm -f "$RUN_DIR/elasticsearch-server.pid"
    # The pid we record is the CLI launcher's; it runs the server JVM as its child and stops it
    # on TERM. The server's own pid is written with -p for stop's KILL fallback.
    ES_JAVA_HOME=$JAVA_HOME_17 ES_PATH_CONF=$conf \
        CLI_JAVA_OPTS="-Dlexstream.stack.component=elasticsearch" \
        ES_JAVA_OPTS="-Dlexstream.stack.component=elasticsearch-server" \
        launch elasticsearch "$LOG_DIR/elasticsearch.log" \
        "${wrapper[@]}" "$ES_HOME/bin/elasticsearch" -p "$RUN_DIR/elasticsearch-server.pid"
}

check_elasticsearch() {
    curl -sf --max-time 5 \
        "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=3s" >/dev/null
}

# ---------------------------------------------------------------------------------------
# s3 (S3Proxy with its filesystem back end: one directory per bucket under .stack/data/s3)
# ---------------------------------------------------------------------------------------

start_s3() {
    local conf=$CONF_DIR/s3
    mkdir -p "$conf" "$DATA_DIR/s3"
    (
        umask 077
        cat >"$conf/s3proxy.conf" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this file.
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DATA_DIR/s3
jclouds.region=$S3_REGION
EOF
    )
    launch s3 "$LOG_DIR/s3.log" "$JAVA" \
        -Dlexstream.stack.component=s3 \
        "-Xmx$S3_HEAP" -XX:+UseSerialGC \
        -Dlogback.configurationFile="$SCRIPT_DIR/s3/logback.xml" \
        -cp "$DIST_DIR/s3/lib/*" org.gaul.s3proxy.Main --properties "$conf/s3proxy.conf"
}

# ListBuckets signed with SigV4: checks the server and the credentials together.
check_s3() {
    local empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    curl -sf --max-time 5 -H "x-amz-content-sha256: $empty_sha256" \
        --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        "http://127.0.0.1:$S3_PORT/" 2>/dev/null | grep -q ListAllMyBucketsResult
}

# ---------------------------------------------------------------------------------------
# prometheus (Debian's package, 2.42; system-deps.sh installs it): scrapes the services'
# metrics from the collector (jaeger below), evaluates deploy/prometheus/rules/*.yml and any
# file dropped into .stack/conf/prometheus/rules.d (tests do, then POST /-/reload).
# ---------------------------------------------------------------------------------------

require_prometheus() {
    command -v "$PROMETHEUS_BIN" >/dev/null ||
        die "prometheus not found (deploy/local/system-deps.sh installs Debian's package, or set LEXSTREAM_STACK_PROMETHEUS_BIN)"
}

prometheus_version() {
    command -v "$PROMETHEUS_BIN" >/dev/null || {
        echo "not-installed"
        return
    }
    "$PROMETHEUS_BIN" --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p' | head -n 1
}

start_prometheus() {
    require_prometheus
    local conf=$CONF_DIR/prometheus rules=$REPO_ROOT/deploy/prometheus/rules
    mkdir -p "$conf/rules.d" "$DATA_DIR/prometheus"
    cat >"$conf/prometheus.yml" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this file.
# The compose installation's configuration is deploy/prometheus/prometheus.yml.
global:
  scrape_interval: $PROMETHEUS_INTERVAL
  evaluation_interval: $PROMETHEUS_INTERVAL
  external_labels:
    installation: lexstream-local
rule_files:
  - $rules/*.yml
  - $conf/rules.d/*.yml
scrape_configs:
  # Every service exports OTLP to the collector (jaeger, LEXSTREAM_OTLP_ENDPOINT); its
  # Prometheus exporter names each series' job after service.name and its instance after
  # service.instance.id. "service" is the label the dashboards group by.
  - job_name: lexstream
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$JAEGER_METRICS_PORT"]
    metric_relabel_configs:
      - source_labels: [job]
        regex: "(.+)"
        target_label: service
  - job_name: jaeger
    static_configs:
      - targets: ["127.0.0.1:$JAEGER_TELEMETRY_PORT"]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$PROMETHEUS_PORT"]
EOF
    launch prometheus "$LOG_DIR/prometheus.log" "$PROMETHEUS_BIN" \
        "--config.file=$conf/prometheus.yml" \
        "--storage.tsdb.path=$DATA_DIR/prometheus" \
        "--storage.tsdb.retention.time=$PROMETHEUS_RETENTION" \
        "--web.listen-address=127.0.0.1:$PROMETHEUS_PORT" \
        --web.enable-lifecycle
}

check_prometheus() {
    curl -sf --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null
}

# ---------------------------------------------------------------------------------------
# jaeger (v2, an OpenTelemetry Collector distribution): receives the services' OTLP, keeps
# traces in Badger under .stack/data/jaeger and serves the query API; it is the local
# collector for metrics too (OTLP in, a Prometheus endpoint out). Every listener is named
# here, on 127.0.0.1: unconfigured, Jaeger listens on 0.0.0.0.
# ---------------------------------------------------------------------------------------

start_jaeger() {
    [[ -x $JAEGER_BIN ]] || die "no jaeger binary at $JAEGER_BIN (stack.sh fetch jaeger builds it)"
    local conf=$CONF_DIR/jaeger data=$DATA_DIR/jaeger
    mkdir -p "$conf" "$data/keys" "$data/values"
    cat >"$conf/config.yaml" <<EOF
# Written by deploy/local/stack.sh on every start; edit the script, not this file.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [prometheus]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: $JAEGER_TELEMETRY_PORT
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$JAEGER_HEALTH_PORT
  jaeger_query:
    storage:
      traces: local_store
    http:
      endpoint: 127.0.0.1:$JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT
  jaeger_storage:
    backends:
      local_store:
        badger:
          directories:
            keys: $data/keys
            values: $data/values
          ephemeral: false
          ttl:
            spans: 48h
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$JAEGER_OTLP_GRPC_PORT
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_HTTP_PORT
processors:
  batch:
    timeout: 1s
exporters:
  jaeger_storage_exporter:
    trace_storage: local_store
  prometheus:
    endpoint: 127.0.0.1:$JAEGER_METRICS_PORT
    send_timestamps: false
    metric_expiration: $JAEGER_METRIC_EXPIRATION
EOF
    launch jaeger "$LOG_DIR/jaeger.log" "$JAEGER_BIN" "--config=$conf/config.yaml"
}

check_jaeger() {
    curl -sf --max-time 5 "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" >/dev/null
}

# ---------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------

wait_healthy() { # component
    local component=$1 deadline=$((SECONDS + HEALTH_TIMEOUT))
    while ! "check_$component"; do
        if ! running_pid "$component" >/dev/null; then
            die "$component exited during start-up; last lines of $LOG_DIR/$component.log:
$(tail -n 25 "$LOG_DIR/$component.log" 2>/dev/null)"
        fi
        if ((SECONDS >= deadline)); then
            die "$component not healthy after ${HEALTH_TIMEOUT}s (log: $LOG_DIR/$component.log)"
        fi
        sleep 1
    done
    log "$component healthy on 127.0.0.1:$(component_port "$component") (${SECONDS}s)"
}

cmd_fetch() {
    require_java
    local c
    for c in $(parse_components "$@"); do
        fetch_component "$c"
    done
}

cmd_start() {
    require_java
    local c pid components
    components=$(parse_components "$@")
    for c in $components; do
        is_fetched "$c" || fetch_component "$c"
        [[ $c != elasticsearch ]] || build_es_plugin
    done
    for c in $components; do
        if pid=$(running_pid "$c"); then
            log "$c already running (pid $pid)"
            continue
        fi
        local port
        for port in $(component_ports "$c"); do
            if port_in_use "$port"; then
                die "port $port is taken by a process that stack.sh did not start ($c)"
            fi
        done
        log "starting $c"
        "start_$c"
    done
    # All are launched first and then waited for, so their start-ups overlap.
    for c in $components; do
        wait_healthy "$c"
        [[ $c != kafka ]] || ensure_kafka_scram_user
    done
}

stop_pid() { # pid name: TERM, wait up to STOP_TIMEOUT, then KILL
    local pid=$1 name=$2 deadline=$((SECONDS + STOP_TIMEOUT))
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "$name (pid $pid) still running after ${STOP_TIMEOUT}s; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
}

cmd_stop() {
    local c pid components
    # Reverse order of start: clients of the stack usually hold Kafka connections longest.
    components=$(parse_components "$@" | tac)
    for c in $components; do
        if ! pid=$(running_pid "$c"); then
            log "$c not running"
            rm -f "$(pid_file "$c")"
            continue
        fi
        log "stopping $c (pid $pid)"
        if [[ $c == elasticsearch ]]; then
            local server_pid=""
            server_pid=$(head -n 1 "$RUN_DIR/elasticsearch-server.pid" 2>/dev/null || true)
            stop_pid "$pid" elasticsearch
            if [[ $server_pid =~ ^[0-9]+$ ]] && is_ours "$server_pid" elasticsearch-server; then
                stop_pid "$server_pid" elasticsearch-server
            fi
            rm -f "$RUN_DIR/elasticsearch-server.pid"
        else
            stop_pid "$pid" "$c"
        fi
        rm -f "$(pid_file "$c")"
    done
}

cmd_status() {
    local c pid
    for c in $(parse_components "$@"); do
        if pid=$(running_pid "$c"); then
            printf '%-13s running pid=%s port=%s version=%s\n' "$c" "$pid" "$(component_port "$c")" "$(component_version "$c")"
        else
            printf '%-13s stopped pid=- port=%s version=%s\n' "$c" "$(component_port "$c")" "$(component_version "$c")"
        fi
    done
}

cmd_wait() {
    local c
    for c in $(parse_components "$@"); do
        running_pid "$c" >/dev/null || die "$c is not running (stack.sh start $c)"
        wait_healthy "$c"
    done
}

cmd_versions() {
    local line="kafka=$KAFKA_VERSION elasticsearch=$ES_VERSION s3=s3proxy $S3PROXY_VERSION"
    if [[ ${LEXSTREAM_STACK_OBSERVE:-0} == 1 ]]; then
        line+=" prometheus=$(prometheus_version) jaeger=$JAEGER_VERSION"
    fi
    echo "$line"
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

main() {
    local command=${1:-}
    (($# > 0)) && shift
    case $command in
        fetch) cmd_fetch "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status "$@" ;;
        wait) cmd_wait "$@" ;;
        versions) cmd_versions ;;
        -h | --help | help) usage ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
