#!/bin/sh
# WorkmateOS scheduler: runs the periodic management commands. Run exactly ONE instance (the
# `scheduler` service in docker-compose.yml); the commands are idempotent, so a restart that
# repeats a run does no harm. A failing command is logged and retried at its next turn; it never
# stops the loop.
#
#   every <seconds> <command> [args...]   at start, then every <seconds>
#   daily <HH> <command> [args...]        once a day, in the hour HH (local time, TZ)
#
# tests/test_compose.py reads the `every`/`daily` lines below and checks every command exists.
set -u

STATE_DIR="${SCHEDULER_STATE_DIR:-/tmp/workmate-scheduler}"
TICK_SECONDS="${SCHEDULER_TICK_SECONDS:-60}"
mkdir -p "$STATE_DIR"

run() {
    echo "scheduler: $(date -Iseconds) manage.py $*"
    python manage.py "$@" || echo "scheduler: manage.py $* failed (exit $?)" >&2
}

every() {
    interval="$1"; shift
    stamp="$STATE_DIR/every-$(echo "$*" | tr -c 'a-zA-Z0-9_\n' '_')"
    now="$(date +%s)"
    last="$(cat "$stamp" 2>/dev/null || echo 0)"
    if [ $((now - last)) -ge "$interval" ]; then
        echo "$now" > "$stamp"
        run "$@"
    fi
}

daily() {
    hour="$1"; shift
    stamp="$STATE_DIR/daily-$(echo "$*" | tr -c 'a-zA-Z0-9_\n' '_')"
    today="$(date +%F)"
    if [ "$(date +%H)" = "$hour" ] && [ "$(cat "$stamp" 2>/dev/null)" != "$today" ]; then
        echo "$today" > "$stamp"
        run "$@"
    fi
}

echo "scheduler: started (tick ${TICK_SECONDS}s, TZ=${TZ:-UTC})"
while :; do
    every 900 send_due_reminders
    every 900 interrupt_stale_imports
    daily 01 clearsessions
    daily 01 prune_db_task_results
    daily 01 prune_exports
    daily 02 mark_overdue_invoices
    daily 03 verify_audit_log
    daily 03 verify_documents
    daily 06 send_dunning --dry-run
    sleep "$TICK_SECONDS"
done
