#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing (this machine kind runs as root and
# reaches Debian's registry): the real remote-write receivers (prometheus, victoria-metrics), the
# ClickHouse server the ClickHouse source reads (clickhouse-server), kcat
# (an independent Kafka client to read back what landed), Java 17 and Maven (Apache Kafka itself
# comes from Maven Central: scripts/services/kafka.ts), openssl (a self-signed certificate for the
# https tests), tzdata (time_str in named zones), chromium (the status page's browser test), and Go
# with Debian's sarama (github.com/Shopify/sarama; gcc and libc6-dev for its cgo zstd) to build the
# Kafka benchmark's sarama contender (scripts/bench/sarama-producer, DeepFlow's own client).
# Fails loudly when something cannot be installed: tests never skip for a missing service.
set -euo pipefail
need=()
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
[ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server clickhouse-client)
command -v openssl >/dev/null || need+=(openssl)
command -v kcat >/dev/null || need+=(kcat)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v keytool >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
[ -e /usr/share/zoneinfo/Asia/Shanghai ] || need+=(tzdata)
[ -x /usr/bin/go ] || need+=(golang-go)
[ -e /usr/share/gocode/src/github.com/Shopify/sarama/sync_producer.go ] || need+=(golang-github-shopify-sarama-dev)
[ -x /usr/bin/gcc ] || need+=(gcc)
[ -e /usr/include/stdio.h ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "the tests need: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing test dependencies from Debian: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
