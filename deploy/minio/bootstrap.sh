#!/bin/sh
# MinIO bootstrap for the compose installation (idempotent): the service account lexstream
# uses, the buckets, versioning on the originals (legal hold needs it), and the inbox
# bucket's notifications to Kafka (target "LEXSTREAM", configured on the server by
# MINIO_NOTIFY_KAFKA_*_LEXSTREAM in compose.yaml).
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

mc admin user add local "$LEXSTREAM_S3_ACCESS_KEY" "$LEXSTREAM_S3_SECRET_KEY"
mc admin policy attach local readwrite --user "$LEXSTREAM_S3_ACCESS_KEY" || true

for bucket in lexstream-originals lexstream-derived lexstream-inbox; do
  mc mb --ignore-existing "local/$bucket"
done
mc version enable local/lexstream-originals

# A file dropped into the inbox becomes an event on lexstream.storage.events.v1 for ingest.
mc event add local/lexstream-inbox arn:minio:sqs::LEXSTREAM:kafka --event put --ignore-existing
mc event list local/lexstream-inbox
