#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hardware collectors on sysfs files that fail with EIO or EACCES (issue 7).

Real hwmon drivers answer read() of some sensor files with EIO, and a file
another user may not open fails with EACCES; a fixture on disk can do neither.
tests/fuse/errors_fs.py mounts the fixture trees read-only through FUSE and fails
the files a scenario names: EIO from read(), EACCES from open(). For each
hardware collector the exporter runs on its fixture case through the mount and
is scraped four times: all files readable, the chosen files failing with EIO,
with EACCES, and readable again. Each scrape must answer and parse (promtool,
prometheus_client), the failing scrapes carry the collector's success value and
lose the series this table expects, and the last scrape equals the first (the
collector is retried, never disabled).

Where Debian's node_exporter (1.5) has the collector it runs on the same mount
and the same files fail: the series each error removes, adds and changes the
value of, compared with its own all-readable scrape, and
node_scrape_collector_success must be the same as ours (comparing what an error changes keeps 1.5-to-1.12 naming differences
out). Where 1.5 and 1.12 differ (PRUNE, and the expectations marked so) and for
watchdog and pcidevice, newer than 1.5, the expectations come from node_exporter
1.12.1's code as collectors/*.c describe it.

Usage: sysfs_errors_test.py HOST_EXPORTER_BINARY TESTS_SOURCE_DIR
Exits 77 (skipped) where FUSE cannot be mounted (no /dev/fuse, no fusermount,
no python3-fusepy, mount refused).
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, finish, free_port  # noqa: E402

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

NODE_EXPORTER = '/usr/bin/prometheus-node-exporter'
PY = '/usr/bin/python3'
SKIP = re.compile(r'^(go_|process_|promhttp_|node_exporter_build_info|host_exporter_build_info|'
                  r'node_scrape_collector_duration_seconds)')

# (collector, fixture case, files relative to the case, {errno: expectation}[, 'at-start']).
# An expectation is (success, absent[, ne]): success the collector's value in 1.12 (None:
# whatever node_exporter 1.5 gives), absent a regular expression matching every series the
# error removes and none left in the failing scrape (None: no check). ne, where 1.5 differs
# from 1.12: 'no-start' (1.5 panics at start-up) or the reason the comparison is skipped.
# 'at-start': the collector reads its files once at start-up, so each phase starts afresh.
HWMON1 = 'sys/devices/platform/nct6775.656/hwmon/hwmon1/'
BAT1 = 'sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:01/power_supply/BAT1/'
RAPL0 = 'sys/devices/virtual/powercap/intel-rapl/intel-rapl:0/'
MC0 = 'sys/devices/system/edac/mc/mc0/'
WD0 = 'sys/devices/pci0000:00/0000:00:1f.4/iTCO_wdt/watchdog/watchdog0/'
TZ = 'sys/devices/virtual/thermal/'
PCI = 'sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/'
CARD0 = 'sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0/0000:0b:00.0/0000:0c:00.0/'

# Upstream's hwmon skips any file it cannot read (addValueFile returns on error).
HWMON_GONE = (r'^node_hwmon_(temp_celsius\{chip="platform_nct6775_656",sensor="temp2"'
              r'|fan_rpm\{chip="platform_nct6775_656",sensor="fan1")')
SCENARIOS = [
    ('hwmon', 'hwmon', [HWMON1 + 'temp2_input', HWMON1 + 'fan1_input'],
     {'EIO': (1, HWMON_GONE), 'EACCES': (1, HWMON_GONE)}),
    ('powersupplyclass', 'powersupplyclass', [BAT1 + 'energy_now'],
     {'EIO': (None, None), 'EACCES': (None, None)}),
    ('rapl', 'rapl', [RAPL0 + 'energy_uj'], {'EIO': (None, None), 'EACCES': (None, None)}),
    ('edac', 'edac', [MC0 + 'ce_count', MC0 + 'csrow1/ch0_ce_count'],
     {'EIO': (None, None), 'EACCES': (None, None)}),
    # DMI is read once at start-up (upstream's NewDMICollector): the files fail from the start.
    # EIO: upstream (1.5 and 1.12's NewDMICollector) cannot create the collector and the
    # exporter panics at start-up; we start, log it and report success 0 on every scrape.
    # EACCES: procfs skips a file it may not read (the root-only serials), so the label goes.
    ('dmi', 'dmi', ['sys/devices/virtual/dmi/id/product_name'],
     {'EIO': (0, r'^node_dmi_info', 'no-start'), 'EACCES': (1, None)}, 'at-start'),
    # 1.12 (procfs class_thermal.go): a zone whose file cannot be opened is skipped, a read
    # error fails the class before any zone or cooling device is emitted; a cooling device
    # whose file gives EACCES is skipped. 1.5 fails the class on EACCES as well.
    ('thermal_zone', 'thermal_zone', [TZ + 'thermal_zone1/temp', TZ + 'cooling_device1/cur_state'],
     {'EIO': (0, r'^node_(thermal_zone|cooling_device)_'),
      'EACCES': (1, r'^node_thermal_zone_temp\{.*zone="1"\}|^node_cooling_device_\w+\{name="1",',
                 '1.5 fails the class on a zone file it cannot open, 1.12 skips the zone')}),
    ('drm', 'drm', [CARD0 + 'mem_info_vram_used'], {'EIO': (None, None), 'EACCES': (None, None)}),
    # 1.12 watchdog: only a missing file is skipped; any other error fails the class and
    # nothing is emitted (EACCES is ErrNoData, still success 0).
    ('watchdog', 'watchdog', [WD0 + 'timeout'],
     {'EIO': (0, r'^node_watchdog_'), 'EACCES': (0, r'^node_watchdog_')}),
    # 1.12 pcidevice: a device that fails to parse (a required file such as revision, or
    # an optional one such as power_state failing with anything but ENOENT) fails the
    # collector with nothing emitted.
    ('pcidevice', 'pcidevice', [PCI + 'revision'],
     {'EIO': (0, r'^node_pcidevice_'), 'EACCES': (0, r'^node_pcidevice_')}),
    ('pcidevice', 'pcidevice', [PCI + 'power_state'],
     {'EIO': (0, r'^node_pcidevice_'), 'EACCES': (0, r'^node_pcidevice_')}),
]


# Entries of the fixture cases that node_exporter 1.5 already fails on with every file
# readable (1.12 and we do not): removed from the copy that is mounted, so that 1.5's
# all-readable scrape succeeds and what an error changes can be compared.
PRUNE = {
    'hwmon': ['sys/class/hwmon/hwmon9'],                 # dangling link: 1.5 fails its stat
    # Zones without a policy or type file and a cooling device without cur_state: 1.5 fails
    # the class, 1.12's procfs skips a zone whose file cannot be opened (an fs.PathError) and
    # a cooling device's missing file; a disabled zone: 1.5 reports it, 1.12 skips it.
    'thermal_zone': ['sys/class/thermal/thermal_zone3', 'sys/class/thermal/thermal_zone99',
                     'sys/class/thermal/cooling_device3', 'sys/class/thermal/thermal_zone2'],
}


def copy_cases(src, dst):
    """Copies the cases SCENARIOS use to dst (symlinks kept) without the PRUNE entries."""
    for case in sorted({s[1] for s in SCENARIOS}):
        shutil.copytree(os.path.join(src, case), os.path.join(dst, case), symlinks=True)
        for rel in PRUNE.get(case, []):
            os.unlink(os.path.join(dst, case, rel))


def skip(reason):
    print('SKIP: ' + reason)
    sys.exit(77)


def wait_mounted(mnt, proc):
    for _ in range(200):
        with open('/proc/self/mountinfo') as f:
            if any(line.split()[4] == mnt for line in f):
                return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def get(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.status, r.read().decode('utf-8', 'replace')


def start_ours(binary, flags, log_path):
    """Starts host_exporter on a port the kernel picks; returns (process, port) or (proc, None)."""
    log = open(log_path, 'w+')
    proc = subprocess.Popen([binary, '--web.listen-address=127.0.0.1:0'] + flags,
                            stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(400):
        log.seek(0)
        m = re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    return proc, None


def start_node_exporter(flags, log_path):
    """Starts Debian's node_exporter on a free port (1.5 does not log the port 0 it got)."""
    port = free_port()
    proc = subprocess.Popen([NODE_EXPORTER, '--web.listen-address=127.0.0.1:%d' % port] + flags,
                            stdout=subprocess.DEVNULL, stderr=open(log_path, 'w'))
    for _ in range(400):
        try:
            get('http://127.0.0.1:%d/' % port)
            return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    return proc, None


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def series(text):
    """{(name, sorted labels): value} of a scrape, without the volatile families."""
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if not SKIP.match(s.name):
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def changed(before, after):
    """The series of both scrapes whose value differs (NaN equal to NaN)."""
    return {k for k in set(before) & set(after)
            if before[k] != after[k] and not (math.isnan(before[k]) and math.isnan(after[k]))}


def show(key):
    return '%s{%s}' % (key[0], ','.join('%s="%s"' % kv for kv in key[1]))


def promtool_errors(path):
    """promtool's complaints other than the lint node_exporter's own names draw."""
    r = subprocess.run(['promtool', 'check', 'metrics'], stdin=open(path), capture_output=True,
                       text=True)
    return [l for l in (r.stdout + r.stderr).splitlines()
            if l and "should be written in 'snake_case'" not in l]


def success_of(ser, collector):
    return ser.get(('node_scrape_collector_success', (('collector', collector),)))


def scrape(port, path):
    """The body of one scrape (saved to path), or None when it did not answer 200."""
    try:
        status, body = get('http://127.0.0.1:%d/metrics' % port)
    except OSError:
        return None
    with open(path, 'w') as f:
        f.write(body)
    return body if status == 200 else None


def parse(body):
    try:
        return series(body)
    except Exception as e:  # the parser raises ValueError and friends on bad input
        return 'parse error: %s' % e


def run_scenario(work, binary, src_cases, mnt, rules, scen, idx):
    collector, case, files, expect = scen[:4]
    restart = len(scen) > 4 and scen[4] == 'at-start'
    tag = '%s #%d (%s)' % (collector, idx, ', '.join(os.path.basename(f) for f in files))
    case_dir = os.path.join(mnt, case)
    flags = ['--path.procfs=%s/proc' % case_dir, '--path.sysfs=%s/sys' % case_dir,
             '--path.rootfs=%s' % case_dir]
    fpath = os.path.join(src_cases, case, 'flags')
    flags += [l.strip().replace('@CASE@', case_dir) for l in open(fpath) if l.strip()]
    with_ne = os.access(NODE_EXPORTER, os.X_OK) and collector not in ('watchdog', 'pcidevice')

    def set_rules(err):
        with open(rules + '.new', 'w') as f:
            for rel in files if err else []:
                f.write('%s %s/%s\n' % (err, case, rel))
        os.rename(rules + '.new', rules)

    procs = []

    def ne_note(phase):
        e = expect.get(phase)
        return e[2] if e and len(e) > 2 else None

    def start(phase):
        """Starts ours (and node_exporter) for a phase; returns (port, ne_port), port None on failure."""
        log = os.path.join(work, 'ours-%d-%s.log' % (idx, phase))
        ours, port = start_ours(binary, flags, log)
        procs.append((ours, log))
        check('%s %s: exporter started' % (tag, phase), port is not None, open(log).read())
        ne_port = None
        if with_ne:
            ne_log = os.path.join(work, 'ne-%d-%s.log' % (idx, phase))
            ne, ne_port = start_node_exporter(flags, ne_log)
            procs.append((ne, None))
            if ne_note(phase) == 'no-start':
                check('%s %s: node_exporter 1.5 refuses to start, as expected' % (tag, phase),
                      ne_port is None and 'panic' in open(ne_log).read(), open(ne_log).read())
            else:
                check('%s %s: node_exporter 1.5 started' % (tag, phase), ne_port is not None,
                      open(ne_log).read())
        return port, ne_port

    def stop_all():
        while procs:
            proc, log = procs.pop()
            stop(proc)
            if log:
                text = open(log).read()
                check('%s: no sanitizer report' % tag, 'Sanitizer' not in text, text)

    try:
        results = {}
        port = ne_port = None
        for phase in ('base', 'EIO', 'EACCES', 'again'):
            set_rules(phase if phase in ('EIO', 'EACCES') else None)
            if restart:
                stop_all()
            if restart or port is None:
                port, ne_port = start(phase)
                if port is None:
                    return
            path = os.path.join(work, '%d-%s.prom' % (idx, phase))
            body = scrape(port, path)
            check('%s %s: scrape answers 200' % (tag, phase), body is not None)
            if body is None:
                return
            ser = parse(body)
            check('%s %s: prometheus_client parses the output' % (tag, phase),
                  isinstance(ser, dict), ser)
            if not isinstance(ser, dict):
                return
            errs = promtool_errors(path)
            check('%s %s: promtool check metrics finds nothing new' % (tag, phase), not errs,
                  '\n'.join(errs))
            ne_ser = None
            if ne_port:
                ne_body = scrape(ne_port, path + '.ne')
                ne_ser = parse(ne_body) if ne_body is not None else None
            results[phase] = (ser, ne_ser)
        base, ne_base = results['base']
        check('%s: all-readable scrape has the collector succeed' % tag,
              success_of(base, collector) == 1, success_of(base, collector))
        if with_ne:
            check('%s: all-readable scrape: node_exporter succeeds too' % tag,
                  isinstance(ne_base, dict) and success_of(ne_base, collector) == 1)
        for err in ('EIO', 'EACCES'):
            ser, ne_ser = results[err]
            want_success, absent = expect[err][:2]
            note = ne_note(err)
            got = success_of(ser, collector)
            if want_success is not None:
                check('%s %s: node_scrape_collector_success is %d as in 1.12' %
                      (tag, err, want_success), got == want_success, got)
            if absent:
                left = [show(k) for k in ser if re.search(absent, show(k))]
                check('%s %s: no series matching %s' % (tag, err, absent), not left,
                      '\n'.join(left))
                other = [show(k) for k in set(base) - set(ser) if not re.search(absent, show(k))]
                check('%s %s: no other series removed' % (tag, err), not other, '\n'.join(other))
            check('%s %s: the failing files change the output' % (tag, err), ser != base)
            if note:
                print('# %s %s: node_exporter 1.5 not compared: %s' % (tag, err, note))
            elif isinstance(ne_ser, dict) and isinstance(ne_base, dict):
                ne_got = success_of(ne_ser, collector)
                check('%s %s: node_scrape_collector_success %s equals node_exporter\'s %s' %
                      (tag, err, got, ne_got), got == ne_got)
                for what, ours_d, ne_d in (
                        ('removes', set(base) - set(ser), set(ne_base) - set(ne_ser)),
                        ('adds', set(ser) - set(base), set(ne_ser) - set(ne_base)),
                        ('changes the value of', changed(base, ser), changed(ne_base, ne_ser))):
                    diff = ['only ours: ' + show(k) for k in sorted(ours_d - ne_d)] + \
                           ['only node_exporter: ' + show(k) for k in sorted(ne_d - ours_d)]
                    check('%s %s: %s the same series as node_exporter (%d)' %
                          (tag, err, what, len(ours_d)), not diff, '\n'.join(diff))
            elif with_ne:
                check('%s %s: node_exporter answered' % (tag, err), False)
        again, _ = results['again']
        check('%s: readable again, the output equals the first scrape' % tag, again == base,
              '\n'.join(['lost: ' + show(k) for k in set(base) - set(again)] +
                        ['new: ' + show(k) for k in set(again) - set(base)]))
    finally:
        stop_all()


def main():
    binary, src = sys.argv[1], sys.argv[2]
    if not os.path.exists('/dev/fuse') or not shutil.which('fusermount'):
        skip('/dev/fuse or fusermount is missing (Debian package fuse3)')
    if subprocess.run([PY, '-c', 'import fusepy'], capture_output=True).returncode and \
            subprocess.run([PY, '-c', 'import fuse'], capture_output=True).returncode:
        skip('%s cannot import fusepy (Debian package python3-fusepy)' % PY)
    if not shutil.which('promtool'):
        skip('promtool is missing (Debian package prometheus)')
    work = tempfile.mkdtemp(prefix='sysfs_errors.')
    mnt = os.path.join(work, 'mnt')
    rules = os.path.join(work, 'rules')
    os.mkdir(mnt)
    open(rules, 'w').close()
    cases = os.path.join(work, 'cases')
    copy_cases(os.path.join(src, 'fixtures'), cases)
    fs_log = open(os.path.join(work, 'fuse.log'), 'w')
    fs = subprocess.Popen([PY, os.path.join(src, 'fuse', 'errors_fs.py'), cases, mnt, rules],
                          stdout=fs_log, stderr=fs_log)
    try:
        if not wait_mounted(mnt, fs):
            skip('cannot mount FUSE here: %s' % open(os.path.join(work, 'fuse.log')).read()[:300])
        if not os.access(NODE_EXPORTER, os.X_OK):
            print('# %s is missing: no comparison with node_exporter' % NODE_EXPORTER)
        for idx, scen in enumerate(SCENARIOS):
            run_scenario(work, binary, cases, mnt, rules, scen, idx)
    finally:
        subprocess.run(['fusermount', '-u', '-z', mnt], capture_output=True)
        fs.terminate()
        try:
            fs.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fs.kill()
            fs.wait()
        if os.environ.get('SYSFS_ERRORS_KEEP'):
            print('# kept ' + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
