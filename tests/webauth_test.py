#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--web.config.file over plain HTTP: basic_auth_users (no, wrong and right
password, unknown user, 401 with WWW-Authenticate: Basic), http_server_config
headers on every answer, rate_limit's 429, a reload on SIGHUP, bad files fatal at
start-up (exit 1, the toolkit's message with line and key), and bcrypt kept off
the serving thread: while 64 clients send wrong passwords (each a fresh bcrypt
check) a scrape with the right, cached, password must still answer fast.

Usage: webauth_test.py HOST_EXPORTER
"""
import base64
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from tap import check, finish

BIN = sys.argv[1]
TMP = tempfile.mkdtemp(prefix='he-webauth.')


def bcrypt_hash(password, cost=10):
    out = subprocess.run(['htpasswd', '-nbBC', str(cost), '', password], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().lstrip(':')


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def start(config, extra=()):
    log = open(os.path.join(TMP, 'log'), 'w+')
    proc = subprocess.Popen([BIN, '--web.listen-address=127.0.0.1:0', '--web.config.file=' + config,
                             '--collector.disable-defaults', '--collector.loadavg'] + list(extra),
                            stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1)), log
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    sys.exit('exporter did not start: ' + log.read())


def get(port, user=None, password=None, path='/metrics'):
    """Returns (status, headers, body)."""
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path))
    if user is not None:
        token = base64.b64encode(('%s:%s' % (user, password)).encode()).decode()
        req.add_header('Authorization', 'Basic ' + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def bad_configs():
    """Each bad file: exit 1 and the message (toolkit text, line, key)."""
    cases = [
        ('tls_server_confg:\n  cert_file: x\n',
         'line 1: field tls_server_confg not found in type web.Config'),
        ('http_server_config:\n  headers:\n    X-Foo: bar\n', 'HTTP header \\"X-Foo\\" can not be configured'),
        ('basic_auth_users:\n  alice: notahash\n', 'hashedSecret too short to be a bcrypted password'),
        ('tls_server_config:\n  cert_file: nope.pem\n  key_file: nope.key\n', 'failed to read cert_file'),
        ('tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n',
         'unknown TLS version: TLS14 (line 4, key min_version)'),
    ]
    for i, (text, want) in enumerate(cases):
        path = write('bad%d.yml' % i, text)
        r = subprocess.run([BIN, '--web.listen-address=127.0.0.1:0', '--web.config.file=' + path],
                           capture_output=True, text=True, timeout=10)
        check('bad config %d exits 1 naming the problem' % i, r.returncode == 1 and want in r.stderr,
              r.stderr)
    r = subprocess.run([BIN, '--web.listen-address=127.0.0.1:0',
                        '--web.config.file=' + os.path.join(TMP, 'missing.yml')],
                       capture_output=True, text=True, timeout=10)
    check('missing config file exits 1', r.returncode == 1 and 'no such file or directory' in r.stderr,
          r.stderr)


def auth_answers(port):
    status, headers, _ = get(port)
    check('no credentials: 401', status == 401, status)
    check('401 carries WWW-Authenticate: Basic', headers.get('WWW-Authenticate') == 'Basic',
          headers)
    check('401 carries the configured headers too', headers.get('X-Frame-Options') == 'deny',
          headers)
    check('wrong password: 401', get(port, 'alice', 'wrong')[0] == 401)
    check('unknown user: 401', get(port, 'mallory', 'secret')[0] == 401)
    check('empty password: 401', get(port, 'alice', '')[0] == 401)
    status, headers, body = get(port, 'alice', 'secret')
    check('right password: 200 with metrics', status == 200 and b'node_load1 ' in body, status)
    check('configured headers on 200', headers.get('X-Frame-Options') == 'deny' and
          headers.get('X-Content-Type-Options') == 'nosniff', headers)
    check('second user: 200', get(port, 'bob', 'hunter2')[0] == 200)
    check('landing page needs auth as well', get(port, path='/')[0] == 401)


def timed_get(port, user, password):
    t0 = time.monotonic()
    status = get(port, user, password)[0]
    return status, time.monotonic() - t0


def flood(port):
    """64 threads, each a fresh wrong password per request, for about 4 s."""
    baseline = [timed_get(port, 'alice', 'secret')[1] for _ in range(5)]
    stop = time.monotonic() + 4
    counts = {'401': 0, '503': 0, 'other': 0}
    lock = threading.Lock()

    def attacker(n):
        i = 0
        while time.monotonic() < stop:
            i += 1
            status = get(port, 'alice', 'wrong-%d-%d' % (n, i))[0]
            with lock:
                key = str(status) if str(status) in counts else 'other'
                counts[key] += 1

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(64)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    during = []
    while time.monotonic() < stop - 0.3:
        status, took = timed_get(port, 'alice', 'secret')
        during.append((status, took))
        time.sleep(0.1)
    for t in threads:
        t.join()
    worst = max(t for _, t in during)
    print('# authenticated scrape: median %.1f ms idle; during the flood %d scrapes, median %.1f ms, '
          'worst %.1f ms; flood answers: %s' % (
              sorted(baseline)[2] * 1000, len(during), sorted(t for _, t in during)[len(during) // 2] * 1000,
              worst * 1000, counts))
    check('authenticated scrapes all 200 during the flood', all(s == 200 for s, _ in during), during)
    check('authenticated scrape within 0.5 s during the flood', worst < 0.5, worst)
    check('wrong passwords were refused (401, or 503 past the queue bound)',
          counts['401'] > 0 and counts['other'] == 0, counts)
    check('unknown user is checked against a dummy hash (not instant)',
          timed_get(port, 'nobody-%d' % time.time_ns(), 'x')[1] > 0.01)


def reload(proc, port, cfg):
    with open(cfg, 'w') as f:
        f.write('basic_auth_users:\n  carol: %s\n' % bcrypt_hash('newpass', 4))
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check('after SIGHUP the new user is accepted', get(port, 'carol', 'newpass')[0] == 200)
    check('after SIGHUP the old user is refused (cache dropped)', get(port, 'alice', 'secret')[0] == 401)
    with open(cfg, 'w') as f:
        f.write('basic_auth_users: [broken\n')
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check('a broken file on SIGHUP keeps the running config', get(port, 'carol', 'newpass')[0] == 200
          and proc.poll() is None)


def rate_limit():
    cfg = write('rate.yml', 'rate_limit:\n  interval: 1h\n  burst: 3\n')
    proc, port, _ = start(cfg)
    try:
        got = [get(port)[0] for _ in range(5)]
        check('rate_limit: burst of 3 served, then 429', got == [200, 200, 200, 429, 429], got)
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    bad_configs()
    empty = write('empty.yml', '')
    proc, port, _ = start(empty)
    check('empty config file: plain HTTP without auth', get(port)[0] == 200)
    proc.terminate()
    proc.wait(10)

    cfg = write('web.yml', 'basic_auth_users:\n  alice: %s\n  bob: %s\n'
                'http_server_config:\n  headers:\n    X-Frame-Options: deny\n'
                '    X-Content-Type-Options: nosniff\n' % (bcrypt_hash('secret'), bcrypt_hash('hunter2')))
    proc, port, log = start(cfg)
    try:
        auth_answers(port)
        flood(port)
        reload(proc, port, cfg)
    finally:
        proc.terminate()
        rc = proc.wait(20)
    check('exporter stops cleanly after the flood', rc == 0, rc)
    rate_limit()
    subprocess.run(['rm', '-rf', TMP])
    finish()


main()
