#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input test: one exporter on a copy of a fixture case, every input file
truncated, emptied, removed, replaced by garbage and blown up in turn, one scrape
each. Every scrape must answer 200 with valid exposition (strict UTF-8, every
sample line well formed, accepted by prometheus_client's parser), and the
exporter must still exit cleanly on SIGTERM afterwards.

Files are changed in place (same inode): collectors may keep descriptors of
files that always exist open, and a real kernel file never changes inode.

Usage: mutate.py HOST_EXPORTER CASE_DIR
Prints one line per failure and a last line "N passed, N failed".
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*"'
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{' + LABEL + r'(?:,' + LABEL + r')*\})? '
                    r'(?:NaN|[+-]Inf|-?[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?)$')
COMMENT = re.compile(r'^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* '
                     r'(?:counter|gauge|untyped|histogram|summary))$')


def start(binary, case, root):
    flags = []
    flags_file = os.path.join(case, 'flags')
    if os.path.exists(flags_file):
        flags = [l.strip().replace('@CASE@', root) for l in open(flags_file) if l.strip()]
    cmd = [binary, '--web.listen-address=127.0.0.1:0', '--path.procfs=' + root + '/proc',
           '--path.sysfs=' + root + '/sys', '--path.rootfs=' + root] + flags
    log = open(os.path.join(root, '..', 'exporter.log'), 'w+')
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'Listening on"?[ ,]"?address"?[=:]"?127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1)), log
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    raise SystemExit('exporter did not start:\n' + log.read())


def problems_in(body):
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError as e:
        return ['invalid UTF-8: %s' % e]
    bad = [l for l in text.split('\n')[:-1] if not (SAMPLE.match(l) or COMMENT.match(l))]
    if bad:
        return ['malformed line: %r' % l for l in bad[:3]]
    try:
        list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises plain ValueErrors and more
        return ['prometheus_client: %s' % e]
    return []


def scrape(port):
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=30) as r:
        return r.status, r.read()


def variants(original, rng):
    """(name, new content or None for a removed file)."""
    garbage = bytes(rng.randrange(256) for _ in range(max(64, len(original))))
    line = original.split(b'\n', 1)[0] or b'x'
    return [
        ('truncated', original[:len(original) // 2]),
        ('empty', b''),
        ('missing', None),
        ('garbage', garbage),
        ('huge', (line + b'\n') * (4 * 1024 * 1024 // (len(line) + 1) + 1)),
    ]


def rewrite_in_place(path, data):
    with open(path, 'r+b') as f:
        f.truncate(0)
        f.write(data)


def mutate_file(path, port, rng, report):
    original = open(path, 'rb').read()
    for name, data in variants(original, rng):
        if data is None:
            os.unlink(path)
        else:
            rewrite_in_place(path, data)
        try:
            status, body = scrape(port)
            found = [] if status == 200 else ['HTTP %d' % status]
            found += problems_in(body)
        except Exception as e:
            found = ['scrape failed: %s' % e]
        report(path, name, found)
        if data is None:
            open(path, 'wb').write(original)
        else:
            rewrite_in_place(path, original)


def input_files(root):
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and not os.path.islink(p) and n not in ('flags', 'mask.sed'):
                yield p


def main():
    binary, case = sys.argv[1], sys.argv[2].rstrip('/')
    work = tempfile.mkdtemp()
    root = os.path.join(work, 'case')
    shutil.copytree(case, root, symlinks=True)
    rng = random.Random(42)
    counts = {'passed': 0, 'failed': 0}

    def report(path, variant, found):
        counts['failed' if found else 'passed'] += 1
        for f in found:
            print('not ok - %s %s: %s' % (os.path.relpath(path, root), variant, f))

    proc, port, log = start(binary, case, root)
    try:
        for path in input_files(root):
            mutate_file(path, port, rng, report)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = 'killed'
        log.seek(0)
        text = log.read()
        shutil.rmtree(work)
    if rc != 0 or 'runtime error' in text or 'Sanitizer' in text:
        counts['failed'] += 1
        print('not ok - exporter exit status %s after mutations:\n%s' % (rc, text[-2000:]))
    print('%d passed, %d failed' % (counts['passed'], counts['failed']))
    return 1 if counts['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
