#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The textfile collector against its hostile corpus (tests/textfile/corpus.py).

1. All entries in one directory: the scrape must be valid exposition (our own
   line grammar, prometheus_client's parser, promtool when installed), and
   node_textfile_file_error{file} must say which files failed, as expected.txt.
2. Each entry alone, scraped from host_exporter and from Debian's
   node_exporter side by side (skipped when it is not installed): every line
   of the textfile's families must be identical.
3. The limits: files over --collector.textfile.max-file-bytes / .max-series
   count as failed with a log line naming the flag.

Usage: textfile_test.py HOST_EXPORTER SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tap import check, finish

NODE_EXPORTER = '/usr/bin/prometheus-node-exporter'
# Families that are not the textfile's: process and build metrics, our extra.
OTHER = re.compile(r'^(# (HELP|TYPE) )?(go_|process_|promhttp_|node_exporter_build_info|'
                   r'host_exporter_build_info|node_scrape_collector_|node_textfile_file_error)')
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\\n])*"'
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{' + LABEL + r'(?:,' + LABEL + r')*\})? '
                    r'(?:NaN|[+-]Inf|-?[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?)$')
COMMENT = re.compile(r'^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* '
                     r'(counter|gauge|untyped|histogram|summary))$')


def start(cmd, log):
    """Starts an exporter on 127.0.0.1:0 or a fixed port; returns (process, port)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'address"?[=:]"?(?:127\.0\.0\.1|\[::\]|0\.0\.0\.0)?:(\d+)', log.read())
        if m and m.group(1) != '0':
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    raise SystemExit('exporter did not start: %s\n%s' % (cmd, log.read()))


def scrape(port):
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=30) as r:
        return r.read().decode('utf-8')


def host_exporter(binary, directory, log, *extra):
    return start([binary, '--web.listen-address=127.0.0.1:0', '--collector.disable-defaults',
                  '--collector.textfile', '--collector.textfile.directory=' + directory] +
                 list(extra), log)


def invalid_lines(body):
    return [l for l in body.splitlines() if not (SAMPLE.match(l) or COMMENT.match(l))]


def file_errors(body):
    return dict(re.findall(r'^node_textfile_file_error\{file=".*/([^/"]+)"\} ([01])$', body, re.M))


def test_whole_corpus(binary, corpus, expected, work):
    with open(os.path.join(work, 'all.log'), 'w+') as log:
        proc, port = host_exporter(binary, corpus, log)
        try:
            body = scrape(port)
            again = scrape(port)
        finally:
            proc.terminate()
            proc.wait()
    check('whole corpus: every line is valid exposition', not invalid_lines(body),
          '\n'.join(invalid_lines(body)))
    try:
        families = list(text_string_to_metric_families(body))
        check('whole corpus: prometheus_client parses the scrape', len(families) > 0)
    except Exception as e:  # the parser raises plain exceptions
        check('whole corpus: prometheus_client parses the scrape', False, e)
    if shutil.which('promtool'):
        r = subprocess.run(['promtool', 'check', 'metrics'], input=body.encode(),
                           capture_output=True)
        errors = [l for l in r.stdout.decode().splitlines() + r.stderr.decode().splitlines()
                  if 'error while linting' in l or 'parse' in l.lower()]
        check('whole corpus: promtool finds no parse error', not errors, '\n'.join(errors))
    got = file_errors(body)
    for name, expect in expected:
        want = '1' if expect.endswith('fail') else '0'
        check('%s: node_textfile_file_error %s' % (name, want), got.get(name) == want,
              'got %s' % got.get(name))
    check('temporary files (*.prom.$$) are ignored', 'partial.prom.12345' not in body)
    check('node_textfile_scrape_error 1', re.search(r'^node_textfile_scrape_error 1$', body, re.M))
    check('a second scrape gives the same text', body.split('\nnode_scrape')[0] ==
          again.split('\nnode_scrape')[0])


def textfile_lines(body):
    return [l for l in body.splitlines() if not OTHER.match(l)]


def place(corpus, name, one):
    """Empties directory one and puts corpus entry name (and a symlink's target) in it."""
    for entry in os.listdir(one):
        path = os.path.join(one, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    src = os.path.join(corpus, name)
    if os.path.islink(src):
        target = os.readlink(src)
        os.symlink(target, os.path.join(one, name))
        if os.path.exists(os.path.join(corpus, target)) and target != name:
            shutil.copy2(os.path.join(corpus, target), os.path.join(one, target))
    elif os.path.isdir(src):
        os.mkdir(os.path.join(one, name))
    else:
        shutil.copy2(src, os.path.join(one, name))


def test_against_node_exporter(binary, corpus, expected, work):
    if not os.access(NODE_EXPORTER, os.X_OK):
        print('# skipped: %s not installed, no side-by-side comparison' % NODE_EXPORTER)
        return
    one = os.path.join(work, 'one')
    os.mkdir(one)
    with open(os.path.join(work, 'he.log'), 'w+') as hlog, \
            open(os.path.join(work, 'ne.log'), 'w+') as nlog:
        he, he_port = host_exporter(binary, one, hlog)
        ne_cmd = [NODE_EXPORTER, '--web.listen-address=127.0.0.1:19499',
                  '--collector.disable-defaults', '--collector.textfile',
                  '--collector.textfile.directory=' + one]
        ne, ne_port = start(ne_cmd, nlog)
        try:
            for name, expect in expected:
                if expect.startswith('skipdiff'):
                    continue
                place(corpus, name, one)
                ours = textfile_lines(scrape(he_port))
                try:
                    theirs = textfile_lines(scrape(ne_port))
                except OSError:  # node_exporter died on this file: nothing to compare with
                    print('# %s: node_exporter crashed, not compared' % name)
                    ne.kill()
                    ne.wait()
                    nlog.seek(0)
                    nlog.truncate()
                    ne, ne_port = start(ne_cmd, nlog)
                    continue
                mine, other = set(ours), set(theirs)
                diff = [l for l in theirs if l not in mine][:5] + \
                       ['+' + l for l in ours if l not in other][:5]
                check('%s: same lines as node_exporter' % name, ours == theirs,
                      '\n'.join(diff) or 'same lines, other order')
        finally:
            for p in (he, ne):
                p.terminate()
                p.wait()


def test_limits(binary, work):
    small = os.path.join(work, 'limits')
    os.mkdir(small)
    with open(os.path.join(small, 'many-series.prom'), 'w') as f:
        f.writelines('many{i="%d"} 1\n' % i for i in range(101))
    with open(os.path.join(small, 'big.prom'), 'w') as f:
        f.write('big{v="%s"} 1\n' % ('x' * 10000))
    with open(os.path.join(small, 'fine.prom'), 'w') as f:
        f.writelines('fine{i="%d"} 1\n' % i for i in range(100))
    with open(os.path.join(work, 'limits.log'), 'w+') as log:
        proc, port = host_exporter(binary, small, log, '--collector.textfile.max-file-bytes=10000',
                                   '--collector.textfile.max-series=100')
        try:
            body = scrape(port)
        finally:
            proc.terminate()
            proc.wait()
        log.seek(0)
        logged = log.read()
    errors = file_errors(body)
    check('limits: a file over max-series fails', errors.get('many-series.prom') == '1')
    check('limits: a file over max-file-bytes fails', errors.get('big.prom') == '1')
    check('limits: a file at both limits reads', errors.get('fine.prom') == '0')
    check('limits: the log names max-series', '--collector.textfile.max-series=100 ' in logged)
    check('limits: the log names max-file-bytes',
          '--collector.textfile.max-file-bytes=10000' in logged)
    check('limits: the scrape is valid', not invalid_lines(body), '\n'.join(invalid_lines(body)))


def main():
    binary, source = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix='he-textfile-')
    try:
        corpus = os.path.join(work, 'corpus')
        subprocess.run([sys.executable, os.path.join(source, 'textfile', 'corpus.py'), corpus],
                       check=True)
        with open(os.path.join(corpus, 'expected.txt')) as f:
            expected = [tuple(l.split()) for l in f if l.strip()]
        os.unlink(os.path.join(corpus, 'expected.txt'))
        check('the corpus has at least 100 hostile files', len(expected) >= 100, len(expected))
        test_whole_corpus(binary, corpus, expected, work)
        test_against_node_exporter(binary, corpus, expected, work)
        test_limits(binary, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
