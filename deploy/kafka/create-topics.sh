#!/bin/sh
# Creates lexstream's topics on the compose Kafka (idempotent). Kubernetes uses the Strimzi
# KafkaTopics in deploy/k8s/topics instead; keep the two lists in step (deploy/check.sh does).
set -eu
BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
TOPICS="/opt/kafka/bin/kafka-topics.sh --bootstrap-server $BOOTSTRAP"

create() {  # name partitions retention_ms
  $TOPICS --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 1 \
    --config retention.ms="$3" --config cleanup.policy=delete
}

DAY=86400000
for spec in \
  lexstream.documents.submitted.v1:6:14 \
  lexstream.storage.events.v1:6:7 \
  lexstream.documents.stored.v1:12:14 \
  lexstream.ocr.requested.v1:12:14 \
  lexstream.transcribe.requested.v1:6:14 \
  lexstream.text.extracted.v1:12:14 \
  lexstream.transcript.ready.v1:6:14 \
  lexstream.documents.progress.v1:12:3 \
  lexstream.documents.indexed.v1:6:14 \
  lexstream.documents.failed.v1:6:90
do
  name="${spec%%:*}"; rest="${spec#*:}"; partitions="${rest%%:*}"; days="${rest#*:}"
  create "$name" "$partitions" $((days * DAY))
  create "$name.dlq" 3 $((30 * DAY))
done
# The audit trail is kept without a time limit.
create lexstream.audit.events.v1 6 -1
$TOPICS --list
