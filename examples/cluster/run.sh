#!/usr/bin/env bash
# A local lhttp cluster: one nats-server and two lhttp nodes serving the chat
# example. Run from anywhere:  bash examples/cluster/run.sh   (Ctrl-C stops all)
#
# Needs: nats-server (Debian/Ubuntu: apt-get install nats-server) and deno.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nats_bin="${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$nats_bin" -c "$here/nats.conf" &
pids+=($!)
sleep 0.5

for port in 8081 8082; do
  deno run -A "$root/src/cli/main.ts" serve --port "$port" --host 127.0.0.1 \
    --static "$root/examples/chat" --nats nats://127.0.0.1:4222 --log-level info &
  pids+=($!)
done
sleep 1

cat <<'TXT'

Cluster up: nats-server on 4222 (monitoring http://127.0.0.1:8222), lhttp on 8081 and 8082.

Try it:
  * open http://127.0.0.1:8081/#lobby and http://127.0.0.1:8082/#lobby in two tabs
    and chat: each message crosses NATS to the other node;
  * publish over HTTP on one node, see it on the other:
      curl -s http://127.0.0.1:8082/publish --data-binary $'LHTTP/1.0 chat\r\npublish:chat.lobby\r\nnick:curl\r\n\r\nhello from curl'
  * health and bus state:  curl -s http://127.0.0.1:8081/healthz
  * the NATS subscriptions (one per channel per node):
      curl -s 'http://127.0.0.1:8222/connz?subs=1'

Ctrl-C stops everything.
TXT
wait
