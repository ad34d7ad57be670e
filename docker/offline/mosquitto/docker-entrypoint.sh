#!/bin/sh
# As the official image's entrypoint: the data and log directories belong to the broker's user
# (a fresh named volume may not), then the command runs; Mosquitto drops root itself (`user`).
set -e
if [ "$(id -u)" = 0 ]; then chown -R mosquitto:mosquitto /mosquitto/data /mosquitto/log; fi
exec "$@"
