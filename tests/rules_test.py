#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""node-mixin style recording rules (tests/consumers/node-rules.yml) over the
series host_exporter really serves: scrapes fixture instances (cpu, base,
filesystem, diskstats, netdev), turns the scrapes into promtool's input_series
(counters rising by 1/s, gauges constant), computes the expected results of
each rule independently, and runs `promtool check rules` and `promtool test
rules`. A label set that did not join (filesystem avail/size/readonly) or a
missing mode or device label would leave a rule without its expected samples.

Usage: rules_test.py HOST_EXPORTER SOURCE_DIR
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from tap import check, finish

CASES = ['cpu', 'base', 'filesystem', 'diskstats', 'netdev']
FAMILIES = ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes',
            'node_memory_MemTotal_bytes', 'node_disk_io_time_seconds_total',
            'node_network_receive_errs_total', 'node_filesystem_avail_bytes',
            'node_filesystem_size_bytes', 'node_filesystem_readonly']
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"')


def scrape_case(binary, source, case):
    d = os.path.join(source, 'fixtures', case)
    flags = ['--path.procfs=%s/proc' % d, '--path.sysfs=%s/sys' % d, '--path.rootfs=' + d]
    flags += [l.strip().replace('@CASE@', d) for l in open(os.path.join(d, 'flags')) if l.strip()]
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, '--web.listen-address=127.0.0.1:%d' % port] + flags,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port) as r:
                    return r.read().decode()
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait()
    sys.exit('exporter for %s did not answer' % case)


def samples(text, case):
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and m.group(1) in FAMILIES:
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or '')}
            if any('\ufffd' in v for v in labels.values()):
                continue  # PromQL's lexer takes any U+FFFD for invalid UTF-8
            labels.update(instance=case, job='node')
            yield m.group(1), labels, float(m.group(3))


def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)


def series_name(name, labels):
    """name{labels} as a PromQL selector, escaped as a Go string literal."""
    def quote(v):
        return v.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t')
    return '%s{%s}' % (name, ','.join('%s="%s"' % (k, quote(v)) for k, v in sorted(labels.items())))


def number(v):
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def expected(data):
    """What each rule gives at 10m, from the same data: counters rise 1/s."""
    out = []
    by = {}
    for name, labels, v in data:
        by.setdefault(name, []).append((labels, v))
    cpus = {}
    for labels, _ in by.get('node_cpu_seconds_total', []):
        if labels['mode'] in ('idle', 'iowait', 'steal'):
            key = (labels['instance'], labels['cpu'])
            cpus[key] = cpus.get(key, 0) + 1
    for inst in sorted(set(i for i, _ in cpus)):
        per_cpu = [n for (i, _), n in cpus.items() if i == inst]
        out.append(('instance:node_cpu_utilisation:rate5m', {'instance': inst, 'job': 'node'},
                    1 - sum(per_cpu) / len(per_cpu)))
    total = {l['instance']: v for l, v in by.get('node_memory_MemTotal_bytes', [])}
    for l, v in by.get('node_memory_MemAvailable_bytes', []):
        if total.get(l['instance']):
            out.append(('instance:node_memory_utilisation:ratio',
                        {'instance': l['instance'], 'job': 'node'}, 1 - v / total[l['instance']]))
    for l, _ in by.get('node_disk_io_time_seconds_total', []):
        out.append(('instance_device:node_disk_io_time_seconds:rate5m', l, 1.0))
    errs = {}
    for l, _ in by.get('node_network_receive_errs_total', []):
        if l['device'] != 'lo':
            errs[l['instance']] = errs.get(l['instance'], 0) + 1
    for inst, n in sorted(errs.items()):
        out.append(('instance:node_network_receive_errs_excluding_lo:rate5m',
                    {'instance': inst, 'job': 'node'}, float(n)))
    key = lambda l: tuple(sorted(l.items()))
    size = {key(l): v for l, v in by.get('node_filesystem_size_bytes', [])}
    ro = {key(l): v for l, v in by.get('node_filesystem_readonly', [])}
    for l, v in by.get('node_filesystem_avail_bytes', []):
        k = key(l)
        if l.get('fstype') and size.get(k, 0) > 0 and ro.get(k) == 0:
            out.append(('instance_mountpoint:node_filesystem_avail:ratio', l, v / size[k]))
    return out


def write_test(path, data, exp):
    with open(path, 'w') as f:
        f.write('rule_files: [node-rules.yml]\nevaluation_interval: 1m\ntests:\n'
                '  - interval: 1m\n    input_series:\n')
        for name, labels, v in data:
            step = 60 if name.endswith('_total') else 0
            if step:  # a huge counter would blur its rate with rounding; where it starts is moot
                v = float(int(min(v, 1e9)))
            f.write("      - series: '%s'\n        values: '%s+%dx10'\n"
                    % (series_name(name, labels), number(v), step))
        f.write('    promql_expr_test:\n')
        for rule in sorted(set(r for r, _, _ in exp)):
            f.write('      - expr: %s\n        eval_time: 10m\n        exp_samples:\n' % rule)
            for r, labels, v in exp:
                if r == rule:
                    f.write("          - labels: '%s'\n            value: %r\n"
                            % (series_name(rule, labels), v))


def main():
    binary, source = sys.argv[1], sys.argv[2]
    if not shutil.which('promtool'):
        print('SKIP: promtool is not installed (Debian package prometheus)')
        sys.exit(77)
    work = tempfile.mkdtemp(prefix='he-rules-')
    try:
        rules = os.path.join(work, 'node-rules.yml')
        shutil.copy(os.path.join(source, 'consumers', 'node-rules.yml'), rules)
        r = subprocess.run(['promtool', 'check', 'rules', rules], capture_output=True, text=True)
        check('promtool check rules node-rules.yml', r.returncode == 0, r.stdout + r.stderr)
        data = [s for case in CASES for s in samples(scrape_case(binary, source, case), case)]
        exp = expected(data)
        for rule in ('instance:node_cpu_utilisation:rate5m', 'instance:node_memory_utilisation:ratio',
                     'instance_device:node_disk_io_time_seconds:rate5m',
                     'instance:node_network_receive_errs_excluding_lo:rate5m',
                     'instance_mountpoint:node_filesystem_avail:ratio'):
            n = sum(1 for e in exp if e[0] == rule)
            check('%s: %d expected series from the fixtures' % (rule, n), n > 0)
        test = os.path.join(work, 'node-rules.test.yml')
        write_test(test, data, exp)
        r = subprocess.run(['promtool', 'test', 'rules', test], capture_output=True, text=True)
        check('promtool test rules: every rule gives exactly the expected series and values',
              r.returncode == 0, r.stdout + r.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
