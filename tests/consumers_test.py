#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A real Prometheus server scrapes host_exporter: one instance on this host
(default collectors plus the off-by-default ones the dashboard queries) and one
instance per fixture case (tests/fixtures/<case>, its own flags), every second.
Through the HTTP API the test checks that every target is up without scrape
errors, that Prometheus ingested exactly the samples served, and which of the
metric names Grafana's "Node Exporter Full" and the node-mixin query have data.

A name that some golden file shows host_exporter emitting must have data (the
fixture instances produce it); a name no collector of ours emits is reported
as missing, with the coverage figures, but does not fail the test.

Usage: consumers_test.py HOST_EXPORTER SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from tap import check, finish, free_port

PROMETHEUS = '/usr/bin/prometheus'
# Off by default in node_exporter, but queried by the dashboard.
LIVE_EXTRA = ['--collector.processes', '--collector.interrupts']


def start_exporter(binary, flags, log_path):
    """Starts an exporter on a port the kernel picks (a port probed free beforehand could be
    taken by another of the hundred exporters started here); returns (process, port)."""
    log = open(log_path, 'w+')
    proc = subprocess.Popen([binary, '--web.listen-address=127.0.0.1:0'] + flags,
                            stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(600):
        log.seek(0)
        m = re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    sys.exit('exporter did not start: %s\n%s' % (flags, log.read()))


def fixture_flags(case_dir):
    flags = ['--path.procfs=%s/proc' % case_dir, '--path.sysfs=%s/sys' % case_dir,
             '--path.rootfs=%s' % case_dir]
    path = os.path.join(case_dir, 'flags')
    if os.path.exists(path):
        flags += [l.strip().replace('@CASE@', case_dir) for l in open(path) if l.strip()]
    return flags


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def query(api, expr):
    body = get(api + '/api/v1/query?' + urllib.parse.urlencode({'query': expr}))
    return json.loads(body)['data']['result']


def served_samples(port):
    return sum(1 for l in get('http://127.0.0.1:%d/metrics' % port).splitlines()
               if l and not l.startswith('#'))


def emitted_names(source, cases=None):
    """Names in sample lines of the goldens (of the given fixture cases, or all)."""
    names = set()
    golden = os.path.join(source, 'golden')
    for f in os.listdir(golden):
        if cases is not None and f[:-len('.prom')] not in cases:
            continue
        for line in open(os.path.join(golden, f), errors='replace'):
            m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]', line)
            if m and not line.startswith('#'):
                names.add(m.group(1))
    return names


def write_config(work, live_port, fixtures):
    targets = [{'targets': ['127.0.0.1:%d' % port], 'labels': {'case': case}}
               for case, port in fixtures]
    with open(os.path.join(work, 'targets.json'), 'w') as f:
        json.dump(targets, f)
    with open(os.path.join(work, 'prometheus.yml'), 'w') as f:
        f.write('global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n'
                'scrape_configs:\n'
                '  - job_name: node\n    static_configs:\n'
                '      - targets: ["127.0.0.1:%d"]\n'
                '  - job_name: fixtures\n    file_sd_configs:\n'
                '      - files: ["%s/targets.json"]\n' % (live_port, work))


def wait_for_scrapes(api, want_targets):
    for _ in range(60):
        try:
            up = query(api, 'up')
            if len(up) == want_targets and all(
                    int(float(r['value'][1])) == 1 for r in up) and len(
                    query(api, 'scrape_samples_scraped offset 2s')) == want_targets:
                return up
        except OSError:
            pass
        time.sleep(0.5)
    return query(api, 'up')


def check_targets(api, ports):
    targets = json.loads(get(api + '/api/v1/targets'))['data']['activeTargets']
    bad = ['%s: %s' % (t['scrapeUrl'], t['lastError']) for t in targets
           if t['health'] != 'up' or t['lastError']]
    check('all %d targets up without scrape errors' % len(targets), not bad, '\n'.join(bad))
    for counter in ('prometheus_target_scrapes_exceeded_sample_limit_total',
                    'prometheus_target_scrapes_sample_duplicate_timestamp_total',
                    'prometheus_target_scrapes_sample_out_of_bounds_total',
                    'prometheus_target_scrapes_sample_out_of_order_total',
                    'prometheus_target_scrapes_cache_flush_forced_total'):
        value = float(re.search(r'^%s (\S+)$' % counter, get(api + '/metrics'), re.M).group(1))
        check('Prometheus: %s is 0' % counter, value == 0, value)
    mismatched = []
    for r in query(api, 'scrape_samples_scraped{job="fixtures"}'):
        case = r['metric']['case']
        served = served_samples(ports[case])
        if int(float(r['value'][1])) != served:
            mismatched.append('%s: ingested %s, served %d' % (case, r['value'][1], served))
    check('every fixture instance: samples ingested == samples served', not mismatched,
          '\n'.join(mismatched))


def check_coverage(api, source, listing, cases):
    names = [l.strip() for l in open(os.path.join(source, 'consumers', listing)) if l.strip()]
    on_fixtures = emitted_names(source, cases)
    anywhere = emitted_names(source)
    with_data = set(r['metric']['__name__'] for r in query(api, '{__name__=~".+"}'))
    have = [n for n in names if n in with_data]
    lost = [n for n in names if n in on_fixtures and n not in with_data]
    elsewhere = [n for n in names if n not in with_data and n in anywhere and n not in on_fixtures]
    missing = [n for n in names if n not in with_data and n not in anywhere]
    print('# %s: metrics with data: %d/%d' % (listing, len(have), len(names)))
    if elsewhere:
        print('# %s: emitted, but only in tests this run cannot host (D-Bus): %s'
              % (listing, ' '.join(elsewhere)))
    if missing:
        print('# %s: no collector of ours emits: %s' % (listing, ' '.join(missing)))
    check('%s: every name our fixture instances emit has data in Prometheus' % listing, not lost,
          ' '.join(lost))


def main():
    binary, source = sys.argv[1], sys.argv[2]
    if not os.access(PROMETHEUS, os.X_OK):
        print('SKIP: %s is not installed (Debian package prometheus)' % PROMETHEUS)
        sys.exit(77)
    work = tempfile.mkdtemp(prefix='he-consumers-')
    procs = []
    try:
        live, live_port = start_exporter(binary, LIVE_EXTRA, os.path.join(work, 'live.log'))
        procs.append(live)
        fixtures_dir = os.path.join(source, 'fixtures')
        ports = {}
        for case in sorted(os.listdir(fixtures_dir)):
            proc, port = start_exporter(binary, fixture_flags(os.path.join(fixtures_dir, case)),
                                        os.path.join(work, case + '.log'))
            procs.append(proc)
            ports[case] = port
        write_config(work, live_port, sorted(ports.items()))
        prom_port = free_port()
        procs.append(subprocess.Popen(
            [PROMETHEUS, '--config.file=' + os.path.join(work, 'prometheus.yml'),
             '--storage.tsdb.path=' + os.path.join(work, 'data'),
             '--web.listen-address=127.0.0.1:%d' % prom_port],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, 'prometheus.log'), 'w')))
        api = 'http://127.0.0.1:%d' % prom_port
        up = wait_for_scrapes(api, len(ports) + 1)
        check('Prometheus scrapes the live instance and %d fixture instances' % len(ports),
              len(up) == len(ports) + 1, len(up))
        check_targets(api, ports)
        live_served = served_samples(live_port)
        ingested = query(api, 'scrape_samples_scraped{job="node"}')
        ratio = float(ingested[0]['value'][1]) / live_served if ingested else 0
        check('live instance: samples ingested close to samples served (%s vs %d)'
              % (ingested[0]['value'][1] if ingested else '-', live_served), 0.9 < ratio < 1.1)
        check_coverage(api, source, 'node-exporter-full.metrics', ports)
        check_coverage(api, source, 'node-mixin.metrics', ports)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
