#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Push mode against a real Pushgateway (Debian's prometheus-pushgateway).

1. Pushes appear on the gateway's /metrics under job/instance/grouping labels
   (a job and a grouping value holding '/', so the @base64 path form, an
   instance with a space, so URL escaping), with the same families GET /metrics
   serves.
2. The gateway stopped and restarted on the same port: the exporter keeps
   serving, counts failures with reason "connect", logs the outage once and the
   recovery once, and pushes resume.
3. A stand-in gateway answering 500, 404, or never: reasons http_5xx, http_4xx,
   timeout.
4. TLS with a CA made here by openssl and basic auth, through the gateway's
   --web.config.file: pushes arrive; a wrong password counts http_4xx and no CA
   file (the system store does not know ours) counts tls.

Exits 77 when the Pushgateway is not installed.
Usage: push_test.py HOST_EXPORTER
"""
import base64
import http.server
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from tap import check, finish, free_port

GATEWAY = '/usr/bin/prometheus-pushgateway'
# bcrypt (cost 4) of PASSWORD, for the gateway's basic_auth_users.
PASSWORD = 'push-secret'
PASSWORD_HASH = '$2b$04$uGGI9PwrBr9GcWtvMnos4.8elgrY49aUcSwGijicj.S5kOERSxfG6'


def wait_for(cond, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = cond()
            if v:
                return v
        except OSError:
            pass
        time.sleep(0.1)
    return None


def get(url, ctx=None, auth=None):
    req = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(('%s:%s' % auth).encode()).decode()
        req.add_header('Authorization', 'Basic ' + token)
    with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
        return r.read().decode('utf-8')


class Gateway:
    """prometheus-pushgateway on a loopback port with its own storage."""

    def __init__(self, tmp, port, web_config=None):
        self.tmp, self.port, self.web_config, self.proc = tmp, port, web_config, None

    def start(self):
        cmd = [GATEWAY, '--web.listen-address=127.0.0.1:%d' % self.port,
               '--persistence.file=' + os.path.join(self.tmp, 'gw-%d.data' % self.port)]
        if self.web_config:
            cmd.append('--web.config.file=' + self.web_config)
        self.log = open(os.path.join(self.tmp, 'gw-%d.log' % self.port), 'a')
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        scheme = 'https' if self.web_config else 'http'
        ok = wait_for(lambda: socket.create_connection(('127.0.0.1', self.port), 1).close() or 1)
        if not ok:
            raise SystemExit('pushgateway did not start on %s://127.0.0.1:%d' % (scheme, self.port))

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
            self.log.close()


class Exporter:
    def __init__(self, binary, tmp, name, *flags):
        self.logpath = os.path.join(tmp, name + '.log')
        self.log = open(self.logpath, 'w+')
        self.proc = subprocess.Popen(
            [binary, '--web.listen-address=127.0.0.1:0', '--collector.disable-defaults',
             '--collector.loadavg', '--collector.meminfo', '--collector.uname'] + list(flags),
            stdout=subprocess.DEVNULL, stderr=self.log)
        m = wait_for(lambda: re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', self.text()))
        if not m:
            self.proc.kill()
            raise SystemExit('exporter did not start:\n' + self.text())
        self.port = int(m.group(1))

    def text(self):
        with open(self.logpath) as f:
            return f.read()

    def metrics(self):
        return get('http://127.0.0.1:%d/metrics' % self.port)

    def counter(self, reason):
        m = re.search(r'^host_exporter_push_failures_total\{reason="%s"\} (\S+)$' % reason,
                      self.metrics(), re.M)
        return float(m.group(1)) if m else -1

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def families(text):
    return {m.group(1) for m in re.finditer(r'^# TYPE (\S+)', text, re.M)}


def group_lines(text, selector):
    """Sample lines carrying every label pair of selector (labels come sorted by name)."""
    pairs = re.findall(r'[a-z]+="[^"]*"', selector)
    return [l for l in text.splitlines()
            if not l.startswith('#') and all(p in l.rsplit(' ', 1)[0] for p in pairs)]


def push_time(text, selector):
    for l in group_lines(text, selector):
        if l.startswith('push_time_seconds{'):
            return float(l.rsplit(' ', 1)[1])
    return 0.0


def test_push_and_restart(binary, tmp):
    port = free_port()
    gw = Gateway(tmp, port)
    gw.start()
    ex = Exporter(binary, tmp, 'plain', '--push.gateway-url=http://127.0.0.1:%d/' % port,
                  '--push.interval=500ms', '--push.job=batch/nightly', '--push.instance=host 1',
                  '--push.grouping-label=rack=r/1', '--push.grouping-label=zone=eu%x')
    sel = 'instance="host 1",job="batch/nightly",rack="r/1",zone="eu%x"'
    url = 'http://127.0.0.1:%d/metrics' % port
    body = wait_for(lambda: (lambda t: t if 'node_load1{' + sel in t else None)(get(url)))
    check('pushed series appear with job, instance and grouping labels', body,
          get(url) if not body else '')
    if body:
        pushed = {l.split('{', 1)[0] for l in group_lines(body, sel)}
        served = families(ex.metrics())
        pushed -= {'push_time_seconds', 'push_failure_time_seconds'}
        check('the push holds the families GET /metrics serves', pushed == served,
              'only pushed: %s\nonly served: %s' % (sorted(pushed - served),
                                                    sorted(served - pushed)))
        check('the push carries host_exporter_push_failures_total',
              'host_exporter_push_failures_total{instance="host 1",job="batch/nightly",'
              'rack="r/1",reason="connect",zone="eu%x"} 0' in body, body)
    check('the failure counter starts at 0', ex.counter('connect') == 0)

    gw.stop()
    rose = wait_for(lambda: ex.counter('connect') >= 2)
    check('gateway down: failures counted with reason connect', rose, ex.metrics())
    time.sleep(1.5)
    check('gateway down: the exporter still serves /metrics', 'node_load1 ' in ex.metrics())
    check('gateway down: one log line for the outage, not one per attempt',
          ex.text().count('Push to the Pushgateway failed') == 1, ex.text())

    restarted = time.time()
    gw.start()
    resumed = wait_for(lambda: push_time(get(url), sel) > restarted)
    check('gateway back: pushes resume', resumed, get(url))
    check('gateway back: recovery logged once', ex.text().count('Pushgateway recovered') == 1,
          ex.text())
    m = re.search(r'^host_exporter_push_last_success_timestamp_seconds (\S+)$', ex.metrics(), re.M)
    check('last success timestamp follows the recovery', m and float(m.group(1)) > restarted,
          ex.metrics())
    check('the exporter never exited', ex.proc.poll() is None)
    ex.stop()
    test_push_only(binary, tmp, url)
    gw.stop()


def test_push_only(binary, tmp, url):
    """--web.listen-address= given empty: no listener, pushes still go out."""
    with open(os.path.join(tmp, 'pushonly.log'), 'w+') as log:
        proc = subprocess.Popen(
            [binary, '--web.listen-address=', '--collector.disable-defaults',
             '--collector.loadavg', '--push.gateway-url=' + url.rsplit('/metrics', 1)[0],
             '--push.interval=500ms', '--push.instance=pushonly'],
            stdout=subprocess.DEVNULL, stderr=log)
        got = wait_for(lambda: 'node_load1{instance="pushonly",job="node"}' in get(url))
        check('push only (empty --web.listen-address): pushes arrive', got)
        log.seek(0)
        text = log.read()
        check('push only: nothing listens', proc.poll() is None and 'Listening on' not in text,
              text)
        proc.terminate()
        proc.wait(10)


class Stub(http.server.BaseHTTPRequestHandler):
    mode = '500'

    def do_PUT(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if Stub.mode == 'hang':
            time.sleep(2)
            return
        self.send_response(int(Stub.mode))
        self.send_header('Content-Length', '5')
        self.end_headers()
        self.wfile.write(b'nope\n')

    def log_message(self, *args):
        pass


def test_http_errors_and_timeout(binary, tmp):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Stub)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ex = Exporter(binary, tmp, 'stub', '--push.gateway-url=127.0.0.1:%d' % server.server_port,
                  '--push.interval=300ms')
    for mode, reason in (('500', 'http_5xx'), ('404', 'http_4xx'), ('hang', 'timeout')):
        Stub.mode = mode
        check('a gateway answering %s counts reason %s' % (mode, reason),
              wait_for(lambda: ex.counter(reason) >= 1), ex.metrics())
    check('each new reason logged once', ex.text().count('Push to the Pushgateway failed') == 3,
          ex.text())
    ex.stop()
    server.shutdown()


def openssl(*args, cwd):
    subprocess.run(['openssl'] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certificates(tmp):
    """A self-signed CA and a server certificate for 127.0.0.1 signed by it."""
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out',
            'ca.crt', '-days', '2', '-subj', '/CN=push test CA', cwd=tmp)
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out',
            'server.csr', '-subj', '/CN=127.0.0.1', cwd=tmp)
    with open(os.path.join(tmp, 'san.ext'), 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1\n')
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
            '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext', cwd=tmp)


def test_tls_and_basic_auth(binary, tmp):
    if not shutil.which('openssl'):
        print('ok - TLS and basic auth # SKIP openssl is not installed')
        return
    make_certificates(tmp)
    config = os.path.join(tmp, 'web.yml')
    with open(config, 'w') as f:
        f.write('tls_server_config:\n  cert_file: %s/server.crt\n  key_file: %s/server.key\n'
                'basic_auth_users:\n  pusher: %s\n' % (tmp, tmp, PASSWORD_HASH))
    for name, text in (('pw', PASSWORD + '\n'), ('badpw', 'wrong\n')):
        with open(os.path.join(tmp, name), 'w') as f:
            f.write(text)
    port = free_port()
    gw = Gateway(tmp, port, config)
    gw.start()
    url = 'https://127.0.0.1:%d' % port
    ctx = ssl.create_default_context(cafile=os.path.join(tmp, 'ca.crt'))
    common = ['--push.gateway-url=' + url, '--push.interval=500ms',
              '--push.basic-auth-user=pusher']
    ex = Exporter(binary, tmp, 'tls', *common, '--push.instance=tls',
                  '--push.tls-ca-file=' + os.path.join(tmp, 'ca.crt'),
                  '--push.basic-auth-password-file=' + os.path.join(tmp, 'pw'))
    sel = 'instance="tls",job="node"'
    got = wait_for(lambda: 'node_load1{' + sel in get(url + '/metrics', ctx, ('pusher', PASSWORD)))
    check('TLS and basic auth: pushed series arrive', got, ex.text())
    ex.stop()
    ex = Exporter(binary, tmp, 'badpw', *common, '--push.instance=badpw',
                  '--push.tls-ca-file=' + os.path.join(tmp, 'ca.crt'),
                  '--push.basic-auth-password-file=' + os.path.join(tmp, 'badpw'))
    check('a wrong password counts reason http_4xx', wait_for(lambda: ex.counter('http_4xx') >= 1),
          ex.metrics())
    ex.stop()
    ex = Exporter(binary, tmp, 'noca', *common, '--push.instance=noca',
                  '--push.basic-auth-password-file=' + os.path.join(tmp, 'pw'))
    check('an unknown CA counts reason tls', wait_for(lambda: ex.counter('tls') >= 1),
          ex.metrics())
    ex.stop()
    gw.stop()


def main():
    if len(sys.argv) != 2:
        raise SystemExit('usage: push_test.py HOST_EXPORTER')
    if not os.access(GATEWAY, os.X_OK):
        print('SKIP: %s is not installed (Debian package prometheus-pushgateway)' % GATEWAY)
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix='push_test.')
    try:
        test_push_and_restart(sys.argv[1], tmp)
        test_http_errors_and_timeout(sys.argv[1], tmp)
        test_tls_and_basic_auth(sys.argv[1], tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == '__main__':
    main()
