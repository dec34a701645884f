# Sourced by the suites' run.sh scripts: starts `roster serve` over an
# existing store on a free loopback port (127.0.0.1:0) and waits until it
# says where it listens.
#
#   serve_roster BIN DB TOKEN LOG
#
# sets PID (the caller stops it by that id) and ADDR (host:port); when the
# server does not start, prints its log and exits the script.
serve_roster() {
  local bin=$1 db=$2 token=$3 log=$4
  ROSTER_ADMIN_TOKEN=$token "$bin" --db "$db" serve --listen 127.0.0.1:0 2> "$log" &
  PID=$!
  ADDR=
  for _ in $(seq 1 100); do
    ADDR=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$log" | head -1)
    [ -n "$ADDR" ] && return 0
    sleep 0.1
  done
  cat "$log"
  echo "server did not start" >&2
  exit 1
}
