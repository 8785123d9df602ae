# SPDX-License-Identifier: Apache-2.0
#
# Sourced by e2e.sh: the HTTP surface, failure isolation, exporter metrics, flag
# errors and signals, each against node_exporter's observable behaviour.
# Uses e2e.sh's start/stop/url/check/ok/not_ok.

BASE=$FIX/base
BASE_FLAGS=(--path.procfs="$BASE/proc" --path.sysfs="$BASE/sys" --collector.disable-defaults
    --collector.loadavg --collector.meminfo)

status_of() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }

body_is() { [ "$(cat "$TMP/body")" = "$1" ]; }

test_collector_filters() {
    start filters --path.procfs="$BASE/proc" --collector.disable-defaults --collector.loadavg || return
    local code
    code=$(status_of "$(url '/metrics?collect[]=loadavg')")
    check "collect[]=loadavg: 200" [ "$code" = 200 ]
    check "collect[]=loadavg: only loadavg ran" \
        grep -q '^node_scrape_collector_success{collector="loadavg"} 1$' "$TMP/body"
    code=$(status_of "$(url '/metrics?collect[]=loadavg&exclude[]=meminfo')")
    check "collect[] with exclude[]: 400" [ "$code" = 400 ]
    check "collect[] with exclude[]: node_exporter's message" \
        body_is "Combined collect and exclude queries are not allowed."
    code=$(status_of "$(url '/metrics?collect[]=nosuch')")
    check "collect[] unknown collector: 400" [ "$code" = 400 ]
    check "collect[] unknown collector: message" body_is \
        "Couldn't create filtered metrics handler: couldn't create collector: missing collector: nosuch"
    code=$(status_of "$(url '/metrics?collect[]=meminfo')")
    check "collect[] disabled collector: 400" [ "$code" = 400 ]
    check "collect[] disabled collector: message" body_is \
        "Couldn't create filtered metrics handler: couldn't create collector: disabled collector: meminfo"
    code=$(status_of "$(url '/metrics?exclude[]=loadavg')")
    check "exclude[]=loadavg: 200 without loadavg" \
        eval "[ $code = 200 ] && ! grep -q 'collector=\"loadavg\"' $TMP/body"
    stop
}

test_routes() {
    start routes "${BASE_FLAGS[@]}" --web.telemetry-path=/custom || return
    local code
    code=$(status_of "$(url /)")
    check "landing page on /: 200 linking the telemetry path" \
        eval "[ $code = 200 ] && grep -q 'href=\"/custom\"' $TMP/body"
    code=$(status_of "$(url /anything/else)")
    check "landing page on any other path" eval "[ $code = 200 ] && grep -q '<html>' $TMP/body"
    code=$(status_of "$(url /custom)")
    check "metrics on --web.telemetry-path" eval "[ $code = 200 ] && grep -q '^node_load1 ' $TMP/body"
    local headers
    headers=$(curl -sI "$(url /custom)")
    check "HEAD on the telemetry path: 200 with the 0.0.4 content type" \
        eval "printf '%s' \"\$headers\" | grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8'"
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Accept: application/openmetrics-text; version=1.0.0' "$(url /custom)")
    check "text 0.0.4 whatever Accept asks" eval "[ $code = 200 ] && ! grep -q '^# EOF' $TMP/body"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip;q=0' -D "$TMP/hdr" "$(url /custom)")
    check "no gzip when Accept-Encoding gives it q=0" eval "! grep -qi '^content-encoding: gzip' $TMP/hdr"
    stop
}

test_failing_collectors() {
    start broken --path.procfs="$FIX/broken/proc" --collector.disable-defaults \
        --collector.loadavg --collector.meminfo || return
    local code
    code=$(status_of "$(url /metrics)")
    stop
    check "broken sources: scrape still 200" [ "$code" = 200 ]
    check "garbage meminfo: success 0" grep -q '^node_scrape_collector_success{collector="meminfo"} 0$' "$TMP/body"
    check "garbage meminfo: loadavg still succeeds" \
        grep -q '^node_scrape_collector_success{collector="loadavg"} 1$' "$TMP/body"
    check "broken sources: exporter metrics still served" grep -q '^process_open_fds ' "$TMP/body"
    check "failing collectors are logged" grep -q 'level=error.*msg="collector failed" name=meminfo' "$LOG"

    mkdir -p "$TMP/short/proc"
    printf '0.42 0.17\n' >"$TMP/short/proc/loadavg"
    cp "$FIX/base/proc/meminfo" "$TMP/short/proc/meminfo"
    start short --path.procfs="$TMP/short/proc" --collector.disable-defaults \
        --collector.loadavg --collector.meminfo || return
    code=$(status_of "$(url /metrics)")
    stop
    check "truncated loadavg: success 0, meminfo unaffected" \
        eval "[ $code = 200 ] && grep -q '^node_scrape_collector_success{collector=\"loadavg\"} 0$' $TMP/body \
              && grep -q '^node_scrape_collector_success{collector=\"meminfo\"} 1$' $TMP/body \
              && grep -q '^node_memory_MemTotal_bytes ' $TMP/body && ! grep -q '^node_load1 ' $TMP/body"

    start missing --path.procfs="$TMP/nonexistent" --collector.disable-defaults --collector.meminfo || return
    code=$(status_of "$(url /metrics)")
    stop
    check "missing procfs: scrape 200 with success 0" \
        eval "[ $code = 200 ] && grep -q '^node_scrape_collector_success{collector=\"meminfo\"} 0$' $TMP/body"
}

test_exporter_metrics() {
    start self "${BASE_FLAGS[@]}" || return
    curl -s "$(url /metrics)" >/dev/null
    curl -s "$(url /metrics)" -o "$TMP/self.prom"
    stop
    local name missing=
    for name in process_cpu_seconds_total process_resident_memory_bytes process_virtual_memory_bytes \
        process_virtual_memory_max_bytes process_open_fds process_max_fds process_start_time_seconds \
        promhttp_metric_handler_requests_in_flight; do
        grep -q "^$name " "$TMP/self.prom" || missing="$missing $name"
    done
    check "process_* and promhttp_* families present${missing:+ (missing:$missing)}" [ -z "$missing" ]
    check "promhttp requests counter counts earlier scrapes" \
        grep -q '^promhttp_metric_handler_requests_total{code="200"} 1$' "$TMP/self.prom"
    check "host_exporter_build_info carries version, revision, branch" \
        grep -qE '^host_exporter_build_info\{branch="[^"]+",revision="[^"]+",version="[0-9.]+"\} 1$' "$TMP/self.prom"
    check "exporter self-metrics pass promtool" promtool_clean "$TMP/self.prom"
    check "exporter self-metrics parse in prometheus_client" python_parses "$TMP/self.prom"

    start noself "${BASE_FLAGS[@]}" --web.disable-exporter-metrics || return
    curl -s "$(url /metrics)" -o "$TMP/noself.prom"
    stop
    check "--web.disable-exporter-metrics drops process_ and promhttp_" \
        eval "! grep -qE '^(process|promhttp)_' $TMP/noself.prom && grep -q '^host_exporter_build_info' $TMP/noself.prom"
}

# flag_error EXPECTED ARGS...: the binary must exit 1 with that one stderr line and bind nothing.
flag_error() {
    local expected=$1
    shift
    local err rc
    err=$(timeout 5 "$BIN" --web.listen-address=127.0.0.1:0 "$@" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" = 1 ] && [ "$err" = "host_exporter: error: $expected, try --help" ]; then
        ok "flag error: $*"
    else
        not_ok "flag error: $*" "exit $rc, stderr: $err"
    fi
}

test_flags() {
    flag_error "unknown long flag '--bogus'" --bogus
    flag_error "unknown short flag '-x'" -x
    flag_error "unexpected false" --collector.loadavg=false
    flag_error "unexpected foo" foo
    flag_error "expected argument for flag '--web.telemetry-path'" --web.telemetry-path
    flag_error "flag 'web.telemetry-path' cannot be repeated" --web.telemetry-path=/a --web.telemetry-path /b
    flag_error "flag 'collector.loadavg' cannot be repeated" --no-collector.loadavg --collector.loadavg
    flag_error "unrecognized log level \"loud\" for flag '--log.level'" --log.level=loud
    flag_error "unrecognized log format \"xml\" for flag '--log.format'" --log.format xml
    flag_error "invalid value \"abc\": expected an integer >= 0 for flag '--web.max-requests'" --web.max-requests=abc
    flag_error "path \"metrics\" must start with \"/\" for flag '--web.telemetry-path'" --web.telemetry-path=metrics
    flag_error "invalid regular expression \"(\": Unmatched ( or \\( for flag '--collector.vmstat.fields'" --collector.vmstat.fields="("
    local out
    out=$("$BIN" --help)
    check "--help lists collectors from the registry with defaults" \
        eval "printf '%s' \"\$out\" | grep -q 'Enable the meminfo collector (default: enabled).'"
    check "--help lists global flags with defaults" \
        eval "printf '%s' \"\$out\" | grep -q -- '--web.listen-address=\":9100\"'"
    check "-h is --help" eval "\"$BIN\" -h | grep -q '^usage: host_exporter'"
    check "--version names the version" eval "\"$BIN\" --version | grep -qE '^host_exporter, version [0-9]'"
    start gomaxprocs "${BASE_FLAGS[@]}" --runtime.gomaxprocs=4 && stop
    check "--runtime.gomaxprocs is accepted and ignored" [ $? = 0 ]
    start deprecated "${BASE_FLAGS[@]}" --collector.systemd.unit-whitelist='foo.*' \
        --collector.systemd.unit-blacklist='bar.*' --collector.systemd.private && stop
    check "node_exporter's hidden systemd flags are accepted" [ $? = 0 ]
    check "hidden flags stay out of --help" eval "! \"$BIN\" --help | grep -q 'whitelist\|blacklist\|systemd.private'"
}

test_log_formats() {
    start jsonlog "${BASE_FLAGS[@]}" --log.format=json --log.level=debug || return
    curl -s -o /dev/null "$(url /metrics)"
    stop
    check "--log.format=json writes one JSON object per line" /usr/bin/python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines and all({"time", "level", "source", "msg"} <= set(l) for l in lines)
' "$LOG"
    "$BIN" "${BASE_FLAGS[@]}" --web.listen-address=127.0.0.1:0 --log.level=error 2>"$TMP/quiet.log" &
    local quiet=$!
    sleep 0.3
    kill -TERM "$quiet"
    wait "$quiet"
    check "--log.level=error hides info lines" eval "! grep -q 'level=' $TMP/quiet.log"
}

test_signals() {
    start signals "${BASE_FLAGS[@]}" || return
    kill -HUP "$PID"
    sleep 0.2
    check "SIGHUP does not stop the exporter" kill -0 "$PID"
    check "still serving after SIGHUP" curl -sf -o /dev/null "$(url /metrics)"
    kill -INT "$PID"
    wait "$PID"
    check "SIGINT stops it with status 0" [ $? = 0 ]
    PID=
    start signals2 "${BASE_FLAGS[@]}" || return
    stop
    check "SIGTERM stops it with status 0" [ $? = 0 ]
}

test_listen_addresses() {
    if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
        ok "# SKIP [::1] listener: no IPv6 loopback on this machine"
        return
    fi
    start listen2 "${BASE_FLAGS[@]}" --web.listen-address="[::1]:0" || return
    local v6port
    v6port=$(sed -nE 's/.*address=\[::1\]:([0-9]+).*/\1/p' "$LOG" | head -1)
    check "a second --web.listen-address on [::1] also serves" \
        curl -sf -o /dev/null "http://[::1]:$v6port/metrics"
    stop
    check "an invalid listen address exits 1" eval "! timeout 5 \"$BIN\" --web.listen-address=nonsense 2>/dev/null"
}

test_collector_filters
test_routes
test_failing_collectors
test_exporter_metrics
test_flags
test_log_formats
test_signals
test_listen_addresses
