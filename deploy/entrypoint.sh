#!/usr/bin/env bash
# One image, one role per container: the first argument chooses the process.
#
#   rasa      one Rasa worker on :5005 (production profile)    (GET /, GET /status)
#   gateway   the FastAPI gateway on :8000                     (GET /healthz)
#   migrate   create the FAQ database if missing, bring its schema up to date, exit
#   turns     the turn-log consumer: Rasa's event queue into the FAQ database (production
#             profile; exactly one at a time). No port: it touches HUKOU_TURN_HEARTBEAT
#             (default /tmp/hukou-turns.alive) every second, and the health checks read its age
#   actions   the rasa_sdk action server on :5055              (GET /health)
#             (bot/rasa_ext/action_server.py: behind the token)
#             only for HUKOU_ACTIONS=server, see below
#   anything else is run as given, e.g. `hukou users add admin --role admin --password-stdin`
#
# Where the custom actions run (HUKOU_ACTIONS, read by bot/stack/profile.py):
#   in-process  (the default of HUKOU_PROFILE=production) inside each Rasa worker, without
#               HTTP (bot/rasa_ext/inprocess_actions.py): no action server, HUKOU_ACTION_URL not needed
#               (ignored if set); the workers need DATABASE_URL (the actions answer from the
#               FAQ), and the gateway gets HUKOU_ACTION_URL="" (nothing to probe).
#   server      the old layout: run containers with the `actions` role and give the workers
#               and the gateway HUKOU_ACTION_URL, its base URL (e.g. http://actions:5055).
#
# The command lines are those `hukou serve` (bot/stack/processes.py, class Stack) starts on one machine.
# Nothing is trained or downloaded here: the model was trained when the image was built
# (deploy/Dockerfile).
#
# What protects the internal services (README, "Security"):
#   HUKOU_LISTEN_ADDRESS  the address the rasa and actions roles listen on; default 127.0.0.1,
#                         i.e. reachable from inside their own container or pod only. Set it
#                         to 0.0.0.0 only where the network keeps everyone else out: compose
#                         publishes no port of theirs, and in Kubernetes the NetworkPolicies
#                         let only the gateway reach Rasa and only Rasa reach the actions
#                         (deploy/k8s/networkpolicy.yaml, actions.yaml).
#   HUKOU_RASA_TOKEN      required by the rasa and actions roles: Rasa's HTTP API
#                         (--enable-api) answers only with ?token=<it>; the gateway gets the
#                         same secret; Rasa sends it to the action server (Authorization:
#                         Bearer), which refuses calls without it. It goes to Rasa and the
#                         action server through private endpoints files, never on the command
#                         line. Rasa's REST webhook is not covered by it: the isolation above is.
set -euo pipefail
cd "$(dirname "$0")/.."

role="${1:-gateway}"
[ "$#" -gt 0 ] && shift

write_endpoints() {
  python - <<'PY'
import os
import sys

from bot.stack.profile import Profile, ProfileError

try:
    profile = Profile.from_env()
except ProfileError as exc:
    sys.exit(f"entrypoint: {exc}")
if not profile.rasa_token:
    sys.exit("entrypoint: the rasa role needs HUKOU_RASA_TOKEN, the HTTP API token (a secret)")
base = os.environ.get("HUKOU_ACTION_URL", "").strip().rstrip("/")
if profile.actions_in_process:
    if base:
        print(f"entrypoint: HUKOU_ACTION_URL={base} is ignored: the actions run in this worker"
              " (HUKOU_ACTIONS=in-process)", file=sys.stderr)
    # Profile.endpoints writes the in-process URL and ignores the one it is given.
    print(profile.write_endpoints(""))
elif not base:
    sys.exit("entrypoint: HUKOU_ACTIONS=server needs HUKOU_ACTION_URL, the base URL of the"
             " action server, e.g. http://actions:5055")
else:
    print(profile.write_endpoints(f"{base}/webhook"))
PY
}

case "$role" in
  actions)
    if [ -z "${HUKOU_RASA_TOKEN:-}" ]; then
      # Without it anyone who reaches the port runs any action (and writes into the desk).
      echo "entrypoint: the actions role needs HUKOU_RASA_TOKEN, the token Rasa sends (a secret)" >&2
      exit 2
    fi
    # The action endpoint with the token Rasa sends, in a private temporary file (mode 600):
    # the action server checks every call against it (bot/rasa_ext/action_server.py).
    endpoints="$(python - <<'PY'
import sys

from bot.stack.profile import Profile, ProfileError

try:
    token = Profile.from_env().rasa_token
except ProfileError as exc:
    sys.exit(f"entrypoint: {exc}")
print(Profile(actions="server", rasa_token=token).write_endpoints("http://unused/webhook"))
PY
)"
    # rasa_sdk takes its address from SANIC_HOST only (its own default: every interface).
    SANIC_HOST="${HUKOU_LISTEN_ADDRESS:-127.0.0.1}" exec python -m bot.rasa_ext.action_server --actions actions \
      --port 5055 --endpoints "$endpoints" "$@"
    ;;
  rasa)
    if [ "${HUKOU_PROFILE:-}" != production ]; then
      # Several workers need the shared tracker and lock stores: never fall back to memory.
      echo "entrypoint: the rasa role needs HUKOU_PROFILE=production (got '${HUKOU_PROFILE:-}')" >&2
      exit 2
    fi
    if [ -z "${HUKOU_RASA_TOKEN:-}" ]; then
      # Without it anyone who reaches the port reads and rewrites every conversation.
      echo "entrypoint: the rasa role needs HUKOU_RASA_TOKEN, the HTTP API token (a secret)" >&2
      exit 2
    fi
    # As bot/stack/processes.py: a lock left by a worker that died mid-turn expires after 15 s.
    export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-15}"
    # The endpoints file (tracker store, lock store, event broker, the action endpoint: in
    # this process, or the action server at HUKOU_ACTION_URL with HUKOU_ACTIONS=server; and
    # the API token) is written from the environment into a private temporary file (mode 600),
    # as `hukou serve` does.
    endpoints="$(write_endpoints)"
    exec python -m bot.rasa_ext.server run --model models/hukou.tar.gz --endpoints "$endpoints" \
      --credentials bot/credentials.yml --port 5005 --enable-api \
      --interface "${HUKOU_LISTEN_ADDRESS:-127.0.0.1}" "$@"
    ;;
  gateway)
    # --no-proxy-headers: the gateway alone decides which X-Forwarded-For address is the
    # client's (HUKOU_TRUSTED_PROXIES); uvicorn's own rule would trust any local connection.
    # --no-access-log: a request line carries its query string, and WeChat's pushes put the
    # citizen's OpenID there (/wechat/oa?openid=…): no log keeps it.
    # bot.web.serve: uvicorn's command line in a process that never loads TensorFlow.
    exec python -m bot.web.serve bot.web.app:create_app --factory --host 0.0.0.0 --port 8000 \
      --ws none --no-proxy-headers --no-access-log "$@"
    ;;
  turns)
    # bot/stack/turn_consumer.py reads the profile (HUKOU_PROFILE=production, HUKOU_AMQP_URL,
    # HUKOU_EVENT_QUEUE, DATABASE_URL) and refuses to run without it.
    export HUKOU_TURN_HEARTBEAT="${HUKOU_TURN_HEARTBEAT:-/tmp/hukou-turns.alive}"
    exec python -m bot.stack.turn_consumer "$@"
    ;;
  migrate)
    : "${DATABASE_URL:?DATABASE_URL must name the FAQ database}"
    # `hukou serve` creates a missing PostgreSQL database first (bot.faq.db.ensure_database);
    # an account that may not do that (a managed server) goes on to the upgrade, which
    # says clearly if the database is missing.
    python -c "import os
from bot.faq.db import ensure_database
ensure_database(os.environ['DATABASE_URL'])" \
      || echo "entrypoint: could not check or create the FAQ database; upgrading anyway" >&2
    exec python -m bot.cli db upgrade "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
