#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing (this machine kind runs as root and
# reaches Debian's registry): the real remote-write receivers (prometheus, victoria-metrics), the
# ClickHouse server the ClickHouse source reads (clickhouse-server), kcat
# (an independent Kafka client to read back what landed), Java 17 and Maven (Apache Kafka itself
# comes from Maven Central: scripts/services/kafka.ts), openssl (a self-signed certificate for the
# https tests), tzdata (time_str in named zones) and chromium (the status page's browser test).
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
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "the tests need: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing test dependencies from Debian: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
