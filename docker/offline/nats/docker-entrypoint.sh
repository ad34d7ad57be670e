#!/bin/sh
# As the official nats:alpine entrypoint: flags alone (`-js -sd /data`) are nats-server's.
set -e
case "${1:-}" in -*) set -- nats-server "$@" ;; esac
exec "$@"
