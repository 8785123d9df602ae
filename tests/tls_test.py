#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""TLS from --web.config.file (libmicrohttpd + GnuTLS), certificates made with
openssl in a temporary directory: every client_auth_type against a client with no
certificate, one signed by client_ca_file and a rogue one (self-made CA); Go's
semantics, where a refused certificate fails the handshake (never a 403);
client_allowed_sans; min_version/max_version (a client outside them fails);
cipher_suites; plain HTTP on the TLS port; the certificate re-read on SIGHUP;
TLS with basic auth.

Usage: tls_test.py HOST_EXPORTER
"""
import base64
import hashlib
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

from tap import check, finish

BIN = sys.argv[1]
warnings.filterwarnings('ignore', category=DeprecationWarning)   # TLS 1.1 on purpose
TMP = tempfile.mkdtemp(prefix='he-tls.')


def sh(*args):
    subprocess.run(args, check=True, cwd=TMP, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(name):
    sh('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
       '-keyout', name + '.key', '-out', name + '.pem', '-days', '2', '-subj', '/CN=' + name,
       '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')


def make_cert(name, ca, san, usage):
    sh('openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
       '-keyout', name + '.key', '-out', name + '.csr', '-subj', '/CN=' + name)
    with open(os.path.join(TMP, name + '.ext'), 'w') as f:
        f.write('subjectAltName=%s\nextendedKeyUsage=%s\n' % (san, usage))
    sh('openssl', 'x509', '-req', '-in', name + '.csr', '-CA', ca + '.pem', '-CAkey', ca + '.key',
       '-CAcreateserial', '-out', name + '.pem', '-days', '2', '-extfile', name + '.ext')


def write_config(name, text):
    path = os.path.join(TMP, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def start(config):
    log = open(os.path.join(TMP, 'log'), 'w+')
    proc = subprocess.Popen([BIN, '--web.listen-address=127.0.0.1:0', '--web.config.file=' + config,
                             '--collector.disable-defaults', '--collector.loadavg'],
                            stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    sys.exit('exporter did not start: ' + log.read())


def stop(proc):
    proc.terminate()
    proc.wait(10)


def fetch(port, cert=None, minv=None, maxv=None, ciphers=None, auth=None):
    """GET /metrics over TLS; returns (status or 'handshake failed', peer cert sha256, cipher)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(TMP, 'ca.pem'))
    if cert:
        ctx.load_cert_chain(os.path.join(TMP, cert + '.pem'), os.path.join(TMP, cert + '.key'))
    if minv:
        ctx.minimum_version = minv
    if maxv:
        ctx.maximum_version = maxv
    if ciphers:
        ctx.set_ciphers(ciphers)
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname='127.0.0.1') as s:
                digest = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
                cipher = s.cipher()[0]
                req = 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
                if auth:
                    req += 'Authorization: Basic %s\r\n' % base64.b64encode(auth.encode()).decode()
                s.sendall((req + '\r\n').encode())
                data = b''
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
    except (ssl.SSLError, OSError, ValueError):
        return 'handshake failed', None, None
    m = re.match(rb'HTTP/1\.1 (\d+)', data)
    if not m:
        return 'handshake failed', None, None   # TLS 1.3: the refusal arrives after the client's Finished
    return int(m.group(1)), digest, cipher


BASE = 'tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n'

# Go's crypto/tls semantics for each client_auth_type: (no cert, valid cert, rogue cert).
MATRIX = [
    ('NoClientCert', (200, 200, 200)),
    ('RequestClientCert', (200, 200, 200)),
    ('RequireAnyClientCert', ('fail', 200, 200)),
    ('VerifyClientCertIfGiven', (200, 200, 'fail')),
    ('RequireAndVerifyClientCert', ('fail', 200, 'fail')),
]


def outcome(status):
    return 'fail' if status == 'handshake failed' else status


def client_auth_matrix():
    for policy, want in MATRIX:
        ca = '' if policy == 'NoClientCert' else '  client_ca_file: ca.pem\n'
        cfg = write_config('auth.yml', BASE + '  client_auth_type: %s\n' % policy + ca)
        proc, port = start(cfg)
        try:
            for cert, expected in zip((None, 'client', 'rogue'), want):
                for ver in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
                    got = outcome(fetch(port, cert, minv=ver, maxv=ver)[0])
                    check('%s, %s, %s: %s' % (policy, cert or 'no cert', ver.name, expected),
                          got == expected, got)
            check('%s: exporter still running' % policy, proc.poll() is None)
        finally:
            stop(proc)


def allowed_sans():
    for sans, want in (('[client.example]', 200), ('[other.example, 10.9.9.9]', 'fail')):
        cfg = write_config('sans.yml', BASE + '  client_auth_type: RequireAndVerifyClientCert\n'
                           '  client_ca_file: ca.pem\n  client_allowed_sans: %s\n' % sans)
        proc, port = start(cfg)
        try:
            got = outcome(fetch(port, 'client')[0])
            check('client_allowed_sans %s: %s' % (sans, want), got == want, got)
        finally:
            stop(proc)


def versions_and_ciphers():
    cfg = write_config('v13.yml', BASE + '  min_version: TLS13\n')
    proc, port = start(cfg)
    try:
        check('min_version TLS13: a TLS 1.2 client fails',
              outcome(fetch(port, maxv=ssl.TLSVersion.TLSv1_2)[0]) == 'fail')
        check('min_version TLS13: a TLS 1.3 client is served', fetch(port)[0] == 200)
    finally:
        stop(proc)
    cfg = write_config('v12.yml', BASE + '  max_version: TLS12\n'
                       '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n')
    proc, port = start(cfg)
    try:
        check('max_version TLS12: a TLS 1.3-only client fails',
              outcome(fetch(port, minv=ssl.TLSVersion.TLSv1_3)[0]) == 'fail')
        status, _, cipher = fetch(port)
        check('cipher_suites: the named suite is negotiated',
              status == 200 and cipher == 'ECDHE-ECDSA-AES256-GCM-SHA384', (status, cipher))
        check('cipher_suites: a client offering only another suite fails',
              outcome(fetch(port, ciphers='ECDHE-ECDSA-AES128-GCM-SHA256')[0]) == 'fail')
    finally:
        stop(proc)
    cfg = write_config('default.yml', BASE)
    proc, port = start(cfg)
    try:
        check('default min_version TLS12: a TLS 1.1 client fails', outcome(
            fetch(port, minv=ssl.TLSVersion.TLSv1_1, maxv=ssl.TLSVersion.TLSv1_1)[0]) == 'fail')
        with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
            s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
            try:
                got = s.recv(100)
            except OSError:
                got = b''
        check('plain HTTP on the TLS port gets no metrics', not got.startswith(b'HTTP/1.1 200'), got)
    finally:
        stop(proc)


def reload_on_sighup():
    live_cert, live_key = os.path.join(TMP, 'live.pem'), os.path.join(TMP, 'live.key')
    subprocess.run(['cp', os.path.join(TMP, 'server.pem'), live_cert], check=True)
    subprocess.run(['cp', os.path.join(TMP, 'server.key'), live_key], check=True)
    cfg = write_config('live.yml', 'tls_server_config:\n  cert_file: live.pem\n  key_file: live.key\n')
    proc, port = start(cfg)
    try:
        status, first, _ = fetch(port)
        subprocess.run(['cp', os.path.join(TMP, 'server2.pem'), live_cert], check=True)
        subprocess.run(['cp', os.path.join(TMP, 'server2.key'), live_key], check=True)
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        status2, second, _ = fetch(port)
        check('SIGHUP re-reads the certificate', status == 200 and status2 == 200 and first != second,
              (status, status2))
        with open(live_key, 'w') as f:
            f.write('garbage\n')
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        status3, third, _ = fetch(port)
        check('a broken key on SIGHUP keeps the running certificate',
              status3 == 200 and third == second and proc.poll() is None, status3)
    finally:
        stop(proc)


def tls_with_basic_auth():
    h = subprocess.run(['htpasswd', '-nbBC', '4', '', 'pw'], check=True, capture_output=True,
                       text=True).stdout.strip().lstrip(':')
    cfg = write_config('both.yml', BASE + 'basic_auth_users:\n  u: %s\n' % h)
    proc, port = start(cfg)
    try:
        check('TLS + basic auth: no login 401', fetch(port)[0] == 401)
        check('TLS + basic auth: right login 200', fetch(port, auth='u:pw')[0] == 200)
    finally:
        stop(proc)


def main():
    make_ca('ca')
    make_ca('rogueca')
    make_cert('server', 'ca', 'IP:127.0.0.1,DNS:localhost', 'serverAuth')
    make_cert('server2', 'ca', 'IP:127.0.0.1,DNS:localhost', 'serverAuth')
    make_cert('client', 'ca', 'DNS:client.example', 'clientAuth')
    make_cert('rogue', 'rogueca', 'DNS:client.example', 'clientAuth')
    client_auth_matrix()
    allowed_sans()
    versions_and_ciphers()
    reload_on_sighup()
    tls_with_basic_auth()
    subprocess.run(['rm', '-rf', TMP])
    finish()


main()
