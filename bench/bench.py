#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# Benchmark: host_exporter against Debian's prometheus-node-exporter, started
# side by side on 127.0.0.1 (ports 19700-19799) with the same collector set and
# with each program's own defaults, measured in one interleaved run so that the
# noise of a shared machine falls on both alike. It measures CPU per scrape
# (utime+stime from /proc/PID/stat, plain and gzip), RSS and RssAnon, wrk's
# p50/p99 latency, idle CPU, start-up time, the read floor (bench/readfloor.c
# on the files one scrape reads, found with strace) and callgrind instructions
# per scrape, and prints one markdown table of ratios with the targets beside
# them. bench/README.md says how to run it and read it. Standard library only;
# every process it starts is ended by PID on the way out, whatever happens.
import argparse
import ctypes
import datetime
import gzip as gzip_module
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SOURCE_DIR = BENCH_DIR.parent
PORT_RANGE = range(19700, 19800)
CLK_TCK = os.sysconf("SC_CLK_TCK")
LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1

# Each target: key, what the reader sees, the goal and how a ratio passes it.
TARGETS = [
    ("cpu_ne", "CPU per scrape vs node_exporter (plain)", "<= 0.15x", 0.15),
    ("cpu_ne_gzip", "CPU per scrape vs node_exporter (gzip)", "<= 0.15x", 0.15),
    ("cpu_floor", "CPU per scrape vs open/read/close floor (plain)", "<= 1.3x", 1.3),
    ("rss", "RSS after N scrapes vs node_exporter", "<= 0.25x", 0.25),
    ("anon", "RssAnon after N scrapes vs node_exporter", "<= 0.15x", 0.15),
    ("p99", "p99 latency vs node_exporter (plain)", "<= 0.2x", 0.2),
]
# "Idle CPU ~0": below 0.1 % of a core, which over the default 10 s window at 100 Hz
# means not one clock tick.
IDLE_LIMIT_PCT = 0.1


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


def die_with_parent():
    """Run in each child before exec: if the benchmark is killed outright, so is the child."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Children:
    """Every process the benchmark starts, so that cleanup ends them by PID and no other."""

    def __init__(self):
        self.procs = []

    def spawn(self, argv, **kwargs):
        proc = subprocess.Popen([str(a) for a in argv], preexec_fn=die_with_parent, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc, sig=signal.SIGTERM, timeout=10.0):
        """Sends sig, waits, then SIGKILL. Returns the exit status."""
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)
        return proc.returncode

    def stop_all(self):
        for proc in list(self.procs):
            self.stop(proc, timeout=5.0)


def raise_on_signal(signum, _frame):
    # SIGTERM/SIGHUP would otherwise end Python without running the cleanup.
    raise SystemExit(128 + signum)


class Ports:
    """Hands out loopback ports from PORT_RANGE that nothing holds (nor TIME_WAIT)."""

    def __init__(self):
        self.next = PORT_RANGE.start

    def take(self):
        for _ in PORT_RANGE:
            port = self.next
            self.next = port + 1 if port + 1 < PORT_RANGE.stop else PORT_RANGE.start
            if port_is_free(port):
                return port
        raise RuntimeError(f"no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# ---------------------------------------------------------------- /proc readings


def cpu_ticks(pid):
    """utime+stime of the whole process in clock ticks (fields 14 and 15 of proc(5) stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_clock_ns(pid):
    """The process's CPU clock (clock_getcpuclockid(3)): the user+system time that
    cpu_ticks reads, in ns instead of 10 ms ticks, so a finer cross-check. Python has
    no clock_getcpuclockid; the id is the kernel's encoding, ~pid << 3 | CPUCLOCK_SCHED."""
    return time.clock_gettime_ns(((~pid) << 3) | 2)


def memory_kb(pid):
    """(VmRSS, RssAnon) in kB from /proc/PID/status."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("RssAnon", 0)


def listening_inodes(port):
    """Socket inodes listening on TCP port `port` (IPv4 or IPv6), from /proc/net/tcp*."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(cols[9])
        except OSError:
            pass
    return inodes


def owns_port(pid, port):
    """True if process pid holds the socket listening on port: other sessions on this
    machine use the same range, and a port freed a moment ago may be someone else's now."""
    inodes = listening_inodes(port)
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
            if link.startswith("socket:[") and link[8:-1] in inodes:
                return True
    except OSError:
        pass
    return False


def is_traced(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1]) != 0
    return False


# ---------------------------------------------------------------- HTTP


def wait_for_metrics(proc, port, timeout, http_get=True):
    """Polls until the port answers (GET /metrics with 200, or a TCP connect if not
    http_get). Raises if the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with status {proc.returncode} before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
                if not http_get:
                    return
                s.sendall(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Connection: close\r\n\r\n".encode())
                head = read_to_eof(s)[:12]
                if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
                    return
        except (ConnectionRefusedError, ConnectionResetError):
            pass
        time.sleep(0.001)
    raise RuntimeError(f"port {port} did not answer within {timeout} s")


def read_to_eof(sock):
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


class Client:
    """One kept-alive HTTP connection to an exporter, as Prometheus keeps one."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def get(self, gzip=False):
        """GET /metrics; returns (body bytes as sent, Content-Encoding)."""
        headers = {"Accept-Encoding": "gzip"} if gzip else {}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("GET", "/metrics", headers=headers)
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"port {self.port}: HTTP {resp.status}")
                return body, resp.getheader("Content-Encoding", "")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A server may close a kept-alive connection; one reconnect is fair.
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def count_series(body):
    return sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))


# ---------------------------------------------------------------- exporters


class Instance:
    """One exporter process under test and everything measured about it."""

    def __init__(self, tool, set_name, argv):
        self.tool, self.set_name, self.argv = tool, set_name, argv
        self.key = f"{tool}-{set_name}"
        self.proc = self.client = None
        self.port = 0
        self.startup_ms = []
        self.mem_start = (0, 0)
        self.series = 0
        self.idle_pct = None
        self.files = []
        self.floor = None
        # Per encoding ("plain", "gzip"): bytes, cpu_ms, cpu_err_ms, clock_ms, mem, p50, p99.
        self.enc = {"plain": {}, "gzip": {}}

    @property
    def pid(self):
        return self.proc.pid


def start(children, ports, inst, logdir, tries=3):
    """Starts inst on a free port and returns the ms until /metrics answered 200. If the
    port was taken under it (the answer came from another process), retries on another."""
    logpath = logdir / f"{inst.key}.log"
    for attempt in range(tries):
        inst.port = ports.take()
        argv = inst.argv + [f"--web.listen-address=127.0.0.1:{inst.port}"]
        with open(logpath, "ab") as logfile:
            t0 = time.perf_counter()
            inst.proc = children.spawn(argv, stdin=subprocess.DEVNULL, stdout=logfile,
                                       stderr=logfile)
        try:
            wait_for_metrics(inst.proc, inst.port, timeout=30)
            elapsed = (time.perf_counter() - t0) * 1000
            if owns_port(inst.pid, inst.port):
                return elapsed
            error = f"port {inst.port} answered, but not from pid {inst.pid}"
        except RuntimeError as e:
            error = str(e)
        children.stop(inst.proc)
        log(f"{inst.key}: {error}" + ("; retrying" if attempt + 1 < tries else ""))
    tail = "\n".join(logpath.read_text(errors="replace").splitlines()[-5:])
    raise RuntimeError(f"{inst.key}: did not start: {error}; its log ends:\n{tail}")


def rotate(items, by):
    """items rotated by `by`, so no process is always first in a round."""
    k = by % len(items) if items else 0
    return items[k:] + items[:k]


def measure_startup(children, ports, insts, rounds, logdir):
    """Starts every instance `rounds` times, alternating; the last round's processes stay up."""
    for r in range(rounds):
        for inst in rotate(insts, r):
            inst.startup_ms.append(start(children, ports, inst, logdir))
            if r < rounds - 1:
                children.stop(inst.proc)
    for inst in insts:
        inst.mem_start = memory_kb(inst.pid)
        inst.client = Client(inst.port)


def measure_scrapes(insts, n, encoding, floors, floor_batch):
    """n rounds; each scrapes every instance once (rotating order) and runs one floor
    batch. CPU is read before and after the whole run, per process."""
    gz = encoding == "gzip"
    t0 = {i.key: (cpu_ticks(i.pid), cpu_clock_ns(i.pid)) for i in insts}
    last = {}
    for r in range(n):
        for inst in rotate(insts, r):
            last[inst.key] = inst.client.get(gzip=gz)
        for floor in floors:
            floor.batch(floor_batch)
    for inst in insts:
        ticks0, ns0 = t0[inst.key]
        body, content_encoding = last[inst.key]
        res = inst.enc[encoding]
        res["cpu_ms"] = (cpu_ticks(inst.pid) - ticks0) * 1000.0 / CLK_TCK / n
        res["cpu_err_ms"] = 1000.0 / CLK_TCK / n  # one tick either way
        res["clock_ms"] = (cpu_clock_ns(inst.pid) - ns0) / 1e6 / n
        res["bytes"] = len(body)
        res["content_encoding"] = content_encoding or "identity"
        res["mem"] = memory_kb(inst.pid)
        if not gz:
            inst.series = count_series(body)
        elif content_encoding == "gzip":
            gzip_module.decompress(body)  # a corrupt stream fails the run here


def measure_idle(insts, seconds):
    """CPU of each process over a window with no scrapes, in % of one core."""
    for inst in insts:
        inst.client.close()  # an open connection is no scrape, but keep the window clean
    t0 = {i.key: cpu_ticks(i.pid) for i in insts}
    w0 = time.monotonic()
    time.sleep(seconds)
    window = time.monotonic() - w0
    for inst in insts:
        inst.idle_pct = (cpu_ticks(inst.pid) - t0[inst.key]) / CLK_TCK / window * 100.0


# ---------------------------------------------------------------- wrk


WRK_LINE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_once(port, seconds, gzip):
    """One wrk run, one thread, one connection. Returns (p50 ms, p99 ms)."""
    argv = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency"]
    if gzip:
        argv += ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(argv + [f"http://127.0.0.1:{port}/metrics"], capture_output=True,
                         text=True, timeout=seconds + 30, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk got errors from port {port}:\n{out}")
    got = {}
    for line in out.splitlines():
        m = WRK_LINE.match(line)
        if m:
            got[m.group(1)] = float(m.group(2)) * UNIT_MS[m.group(3)]
    if len(got) != 2:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{out}")
    return got["50"], got["99"]


def measure_latency(insts, rounds, seconds, encodings):
    """wrk runs alternating between processes; each cell is the median over rounds."""
    runs = {(i.key, e): [] for i in insts for e in encodings}
    for r in range(rounds):
        for enc in encodings:
            for inst in rotate(insts, r):
                runs[(inst.key, enc)].append(wrk_once(inst.port, seconds, enc == "gzip"))
    for inst in insts:
        for enc in encodings:
            got = runs[(inst.key, enc)]
            inst.enc[enc]["p50"] = statistics.median(p50 for p50, _ in got)
            inst.enc[enc]["p99"] = statistics.median(p99 for _, p99 in got)


# ---------------------------------------------------------------- read floor


STRACE_OPEN = re.compile(r'^(?:\d+\s+)?open(?:at)?\((?:[^"]*,\s*)?"([^"]+)",.*\)\s*=\s*\d+')
STRACE_READ = re.compile(r"^(?:\d+\s+)?(?:read|pread64|getdents64)\(\d+<([^>]+)>")


def scrape_files(children, inst, tmp):
    """The /proc and /sys files one steady-state scrape of inst reads, in order.

    strace -y names each descriptor's file, so files whose descriptor the exporter
    keeps open (pread from offset 0) count too, not only those it opens this scrape."""
    out = tmp / f"strace-{inst.key}.txt"
    tracer = children.spawn(["strace", "-f", "-y", "-qq", "-o", out,
                             "-e", "trace=openat,open,read,pread64,getdents64",
                             "-p", inst.pid], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not is_traced(inst.pid):
        if tracer.poll() is not None or time.monotonic() > deadline:
            children.stop(tracer)
            raise RuntimeError("strace could not attach")
        time.sleep(0.01)
    inst.client.get()
    children.stop(tracer, signal.SIGINT)  # SIGINT detaches cleanly
    return parse_strace(out.read_text(), inst.pid)


def parse_strace(text, pid):
    files = []
    for line in text.splitlines():
        m = STRACE_OPEN.match(line) or STRACE_READ.match(line)
        if not m:
            continue
        # The exporter's /proc/PID/... is the floor program's own /proc/self/...
        path = re.sub(rf"^/proc/{pid}/task/{pid}/", "/proc/thread-self/", m.group(1))
        path = re.sub(rf"^/proc/{pid}/", "/proc/self/", path)
        if re.match(r"^/(proc|sys)(/|$)", path) and path not in files:
            files.append(path)
    return files


def build_readfloor(tmp):
    exe = tmp / "readfloor"
    cc = shlex.split(os.environ.get("CC", "cc"))
    subprocess.run(cc + ["-O2", "-o", str(exe), str(BENCH_DIR / "readfloor.c")], check=True)
    return exe


class Floor:
    """A readfloor --serve process: runs batches on request, adds up their CPU."""

    def __init__(self, children, exe, files):
        self.proc = children.spawn([exe, "--serve", *files], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        self.reset()

    def batch(self, k):
        for mode in "op":
            self.proc.stdin.write(f"{mode} {k}\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
            if not answer:
                raise RuntimeError("readfloor stopped; its error is above")
            self.ns[mode] += int(answer)
            self.iters[mode] += k

    def reset(self):
        self.ns = {"o": 0, "p": 0}
        self.iters = {"o": 0, "p": 0}

    def ms_per_iter(self, mode):
        return self.ns[mode] / 1e6 / self.iters[mode] if self.iters[mode] else None


def setup_floors(children, he_insts, tmp, notes):
    """Finds each host_exporter instance's files and starts a floor for them; on a
    machine without strace or a compiler the floor columns read n/a."""
    if not shutil.which("strace"):
        notes.append("strace not installed: no read floor")
        return []
    try:
        exe = build_readfloor(tmp)
    except (OSError, subprocess.CalledProcessError) as e:
        notes.append(f"readfloor did not build ({e}): no read floor")
        return []
    floors = []
    for inst in he_insts:
        try:
            inst.files = scrape_files(children, inst, tmp)
            if not inst.files:
                raise RuntimeError("no /proc or /sys file seen")
            inst.floor = Floor(children, exe, inst.files)
            inst.floor.batch(1)  # fails here, not mid-run, if a file cannot be read
            inst.floor.reset()
            floors.append(inst.floor)
        except (OSError, RuntimeError) as e:
            notes.append(f"{inst.key}: no read floor ({e})")
            inst.floor = None
    return floors


# ---------------------------------------------------------------- callgrind


def callgrind_total(children, ports, binary, args, scrapes, tmp, tag):
    """Instructions of one whole host_exporter run under callgrind that serves `scrapes`
    scrapes on one kept-alive connection and exits on SIGTERM (which writes the profile)."""
    port = ports.take()
    out = tmp / f"callgrind-{tag}-{scrapes}.out"
    with open(tmp / f"callgrind-{tag}.log", "ab") as logf:
        proc = children.spawn(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               binary, *args, f"--web.listen-address=127.0.0.1:{port}"],
                              stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
    # A bare connect, not a scrape, tells it is up: every scrape counted is ours.
    wait_for_metrics(proc, port, timeout=120, http_get=False)
    if not owns_port(proc.pid, port):
        raise RuntimeError(f"callgrind: port {port} is held by another process")
    client = Client(port)
    for _ in range(scrapes):
        client.get()
    client.close()
    status = children.stop(proc, timeout=120)
    if status != 0:
        raise RuntimeError(f"host_exporter under callgrind exited with {status}")
    for line in out.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1]), out
    raise RuntimeError(f"no totals in {out}")


def callgrind_per_scrape(children, ports, binary, args, k, tmp, tag):
    """(instructions per scrape, profile of the longer run): (run(K+1) - run(1)) / K,
    so start-up, the first scrape's allocations and shutdown cancel out."""
    one, _ = callgrind_total(children, ports, binary, args, 1, tmp, tag)
    many, profile = callgrind_total(children, ports, binary, args, k + 1, tmp, tag)
    return (many - one) / k, profile


# ---------------------------------------------------------------- set-up


def build_source(build_dir):
    """The source tree a meson build directory was configured for, or None."""
    try:
        info = json.loads((build_dir / "meson-info" / "meson-info.json").read_text())
        return Path(info["directories"]["source"]).resolve()
    except (OSError, ValueError, KeyError):
        return None


def build_release(build_dir):
    """Release build of the project in build_dir (outside the source tree); returns the binary."""
    quiet = {"stdout": subprocess.DEVNULL}
    if (build_dir / "build.ninja").exists() and build_source(build_dir) != Path(SOURCE_DIR).resolve():
        shutil.rmtree(build_dir)  # configured for another checkout: its binary is not ours
    if (build_dir / "build.ninja").exists():
        subprocess.run(["meson", "configure", build_dir, "--buildtype=release"], check=True,
                       **quiet)
    else:
        subprocess.run(["meson", "setup", build_dir, SOURCE_DIR, "--buildtype=release"],
                       check=True, **quiet)
    subprocess.run(["ninja", "-C", build_dir, "host_exporter"], check=True, **quiet)
    return build_dir / "host_exporter"


def collectors(binary):
    """Collector names from `binary --help`: lines `--[no-]collector.NAME` (node_exporter
    1.5 prints `--collector.NAME`), NAME without a dot, so no per-collector option."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True)
    names = re.findall(r"^\s*--(?:\[no-\])?collector\.([^.=\s]+)(?:\s|$)",
                       out.stdout + out.stderr, re.M)
    # disable-defaults is a switch over the others, not a collector.
    return [n for n in dict.fromkeys(names) if n != "disable-defaults"]


def version_line(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return (out.stdout + out.stderr).splitlines()[0] if (out.stdout + out.stderr) else "?"


# The metric names users' dashboards and alerts query (Grafana's "Node Exporter Full"
# and node_exporter's node-mixin, the copies tests/consumers_test.py checks too).
CONSUMERS_DIR = SOURCE_DIR / "tests" / "consumers"
# Which node_exporter collector serves a metric name, by prefix, the longest match
# winning (node_exporter 1.12 collector/*_linux.go). host_exporter collectors carry
# node_exporter's names, so one table serves both tools.
SERVED_BY = [
    ("node_arp_", "arp"), ("node_bonding_", "bonding"), ("node_boot_time_seconds", "stat"),
    ("node_context_switches_total", "stat"), ("node_forks_total", "stat"),
    ("node_intr_total", "stat"), ("node_procs_", "stat"),
    ("node_cooling_device_", "thermal_zone"), ("node_thermal_zone_", "thermal_zone"),
    ("node_cpu_", "cpu"), ("node_cpu_scaling_", "cpufreq"), ("node_cpu_frequency_", "cpufreq"),
    ("node_disk_", "diskstats"), ("node_entropy_", "entropy"), ("node_filefd_", "filefd"),
    ("node_filesystem_", "filesystem"), ("node_hwmon_", "hwmon"),
    ("node_interrupts_", "interrupts"), ("node_kernel_hung_", "kernel_hung"),
    ("node_load", "loadavg"), ("node_md_", "mdadm"), ("node_memory_", "meminfo"),
    ("node_memory_numa_", "meminfo_numa"), ("node_netstat_", "netstat"),
    ("node_network_", "netclass"), ("node_network_receive_", "netdev"),
    ("node_network_transmit_", "netdev"), ("node_network_transmit_queue_length", "netclass"),
    ("node_nf_conntrack_", "conntrack"), ("node_power_supply_", "powersupplyclass"),
    ("node_pressure_", "pressure"), ("node_processes_", "processes"),
    ("node_schedstat_", "schedstat"), ("node_sockstat_", "sockstat"),
    ("node_softnet_", "softnet"), ("node_systemd_", "systemd"),
    ("node_tcp_connection_states", "tcpstat"), ("node_textfile_", "textfile"),
    ("node_time_seconds", "time"), ("node_timex_", "timex"), ("node_udp_queues", "udp_queues"),
    ("node_uname_", "uname"), ("node_vmstat_", "vmstat"),
]
# Names no single collector serves: the scrape's own families and the process's.
NO_COLLECTOR = ("node_scrape_collector_", "process_", "node_exporter_", "go_", "promhttp_")


def served_by(name):
    """The collector that serves metric `name`, "" for NO_COLLECTOR names, None if unknown."""
    if name.startswith(NO_COLLECTOR):
        return ""
    best = max((p for p in SERVED_BY if name.startswith(p[0])), key=lambda p: len(p[0]),
               default=None)
    return best[1] if best else None


def consumer_collectors(notes):
    """{collector: [names]} for the names in CONSUMERS_DIR/*.metrics."""
    wanted, unknown = {}, []
    for path in sorted(CONSUMERS_DIR.glob("*.metrics")):
        for name in path.read_text().split():
            col = served_by(name)
            if col is None:
                unknown.append(name)
            elif col:
                wanted.setdefault(col, [])
                if name not in wanted[col]:
                    wanted[col].append(name)
    if unknown:
        notes.append("no collector known for consumer names "
                     + ", ".join(sorted(set(unknown))) + " (bench.py SERVED_BY)")
    return wanted


def make_instances(he_bin, ne_bin, notes):
    """The processes: each tool with the same set and with its own defaults (no collector
    flag). The same set is every collector that serves a name the consumers query and
    that both tools have (host_exporter's alone when node_exporter is absent); a served
    collector one side lacks is named in the notes."""
    he_cols = collectors(he_bin)
    if not he_cols:
        raise RuntimeError(f"no --collector.NAME in {he_bin} --help")
    wanted = consumer_collectors(notes)
    ne_cols = set(collectors(ne_bin)) if ne_bin else set(he_cols)
    for tool, have in (("host_exporter", set(he_cols)), ("node_exporter", ne_cols)):
        lacks = sorted(c for c in wanted if c not in have)
        if lacks and (tool == "host_exporter" or ne_bin):
            notes.append(f"{tool} lacks " + ", ".join(
                f"{c} ({', '.join(wanted[c])})" for c in lacks)
                + ": left out of both same sets")
    same_cols = [c for c in he_cols if c in wanted and c in ne_cols]
    same = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in same_cols]
    insts = [Instance("host_exporter", "same", [str(he_bin), *same]),
             Instance("host_exporter", "default", [str(he_bin)])]
    if ne_bin:
        insts += [Instance("node_exporter", "same", [str(ne_bin), *same]),
                  Instance("node_exporter", "default", [str(ne_bin)])]
    return insts, same_cols


def load_average():
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    with open("/proc/loadavg") as f:
        return " / ".join(f.read().split()[:3])


def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "model": model,
            "kernel": platform.release(), "hostname": socket.gethostname()}


# ---------------------------------------------------------------- report


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(value, spec, suffix=""):
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def peer(insts, inst, tool="node_exporter"):
    """The instance of `tool` with inst's collector set, or None."""
    return next((i for i in insts if i.tool == tool and i.set_name == inst.set_name), None)


def set_label(inst, n_same):
    return f"same ({n_same})" if inst.set_name == "same" else "own defaults"


def mem_cell(inst, enc, index):
    return f"{inst.mem_start[index] / 1024:.1f} → {inst.enc[enc]['mem'][index] / 1024:.1f}"


def table_row(insts, inst, enc, n_same):
    res = inst.enc[enc]
    ne = peer(insts, inst)
    he = peer(insts, inst, "host_exporter")
    floor = he.floor if he else None
    vs_ne = ratio(res["cpu_ms"], ne.enc[enc]["cpu_ms"]) if ne and ne is not inst else None
    floors = "n/a"
    if floor:
        floors = (f"{res['cpu_ms'] / floor.ms_per_iter('o'):.2f}x / "
                  f"{res['cpu_ms'] / floor.ms_per_iter('p'):.2f}x")
    first = enc == "plain"  # idle and start-up belong to the process, not the encoding
    latency = "n/a" if "p50" not in res else f"{res['p50']:.2f} / {res['p99']:.2f}"
    return [inst.tool, set_label(inst, n_same), enc, str(inst.series), str(res["bytes"]),
            f"{res['cpu_ms']:.3f} ±{res['cpu_err_ms']:.3f}",
            fmt(res["cpu_ms"] * 1000 / inst.series if inst.series else None, ".2f"),
            "—" if inst.tool == "node_exporter" else fmt(vs_ne, ".3f", "x"), floors,
            mem_cell(inst, enc, 0), mem_cell(inst, enc, 1), latency,
            fmt(inst.idle_pct, ".2f", " %") if first else "″",
            fmt(statistics.median(inst.startup_ms), ".1f") if first else "″"]


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


MAIN_HEADER = ["tool", "collector set", "encoding", "series", "bytes", "CPU ms/scrape",
               "CPU µs per series", "ratio to node_exporter",
               "ratio to read floor (open-read-close / pread)", "RSS MB (start → after N)",
               "RssAnon MB (start → after N)", "p50/p99 ms", "idle CPU (% of a core)",
               "start-up ms"]


def target_ratio(insts, he, key):
    """The measured ratio for one target on host_exporter instance he, or None."""
    ne = peer(insts, he)
    if key == "cpu_floor":
        return ratio(he.enc["plain"]["cpu_ms"], he.floor.ms_per_iter("o") if he.floor else None)
    if ne is None:
        return None
    enc = "gzip" if key == "cpu_ne_gzip" else "plain"
    a, b = he.enc[enc], ne.enc[enc]
    if key in ("cpu_ne", "cpu_ne_gzip"):
        return ratio(a["cpu_ms"], b["cpu_ms"])
    if key in ("rss", "anon"):
        i = 0 if key == "rss" else 1
        return ratio(a["mem"][i], b["mem"][i])
    return ratio(a.get("p99"), b.get("p99"))


def targets_table(insts, callgrind):
    he_insts = [i for i in insts if i.tool == "host_exporter"]
    rows = []
    for key, what, goal, limit in TARGETS:
        cells = []
        for he in he_insts:
            r = target_ratio(insts, he, key)
            cells.append("n/a" if r is None else f"{r:.3f}x {'pass' if r <= limit else 'FAIL'}")
        rows.append([what, goal, *cells])
    rows.append(["host_exporter idle CPU", f"~0 (< {IDLE_LIMIT_PCT:g} % of a core)",
                 *[f"{he.idle_pct:.2f} % {'pass' if he.idle_pct < IDLE_LIMIT_PCT else 'FAIL'}"
                   for he in he_insts]])
    rows.append(["callgrind instructions per scrape", "recorded",
                 *[callgrind.get(he.set_name, "not measured") for he in he_insts]])
    header = ["target", "goal"] + [f"host_exporter, {set_label(he, 0).split(' (')[0]} set"
                                   for he in he_insts]
    return markdown_table(header, rows)


def floor_line(inst):
    if not inst.floor:
        return f"- read floor ({inst.set_name} set): n/a"
    f = inst.floor
    orc, pread = f.ms_per_iter("o") * 1000, f.ms_per_iter("p") * 1000
    return (f"- read floor of host_exporter's {inst.set_name} set ({len(inst.files)} files, "
            f"{f.iters['o']} iterations each): open/read/close {orc:.1f} µs, "
            f"pread {pread:.1f} µs per scrape; files: "
            + ", ".join(f"`{p}`" for p in inst.files))


def details(insts, cfg):
    lines = ["## Details", "",
             f"CPU: utime+stime from /proc/PID/stat over {cfg['scrapes']} scrapes per process and "
             f"encoding (a tick is {1000 // CLK_TCK} ms, hence the ±); the same time from the "
             "process's CPU clock (ns) over the same scrapes, as a finer cross-check:", ""]
    rows = []
    for inst in insts:
        for enc in ("plain", "gzip"):
            r = inst.enc[enc]
            rows.append([inst.key, enc, f"{r['cpu_ms']:.3f}", f"{r['clock_ms']:.3f}",
                         r["content_encoding"]])
    lines.append(markdown_table(["process", "encoding", "stat ms/scrape",
                                 "CPU clock ms/scrape", "Content-Encoding"], rows))
    lines += ["", "Start-up samples (ms): " + "; ".join(
        f"{i.key} " + ", ".join(f"{s:.1f}" for s in i.startup_ms) for i in insts)]
    return "\n".join(lines)


def report(ctx):
    insts, cfg, info = ctx["insts"], ctx["cfg"], ctx["info"]
    n_same = len(ctx["he_cols"])
    rows = [table_row(insts, inst, enc, n_same)
            for set_name in ("same", "default")
            for inst in insts if inst.set_name == set_name
            for enc in ("plain", "gzip")]
    cg = ctx["callgrind"]
    cg_line = ("- callgrind instructions per scrape (host_exporter): "
               + ("; ".join(f"{k} set {v}" for k, v in cg.items()) if cg else ctx["callgrind_why"]))
    he_insts = [i for i in insts if i.tool == "host_exporter"]
    same_flags = " ".join(insts[0].argv[1:])
    parts = [
        f"# host_exporter benchmark, {info['date']}", "",
        f"- date: {info['time']}",
        f"- machine: {info['hostname']}, nproc {info['nproc']}, {info['model']}, "
        f"kernel {info['kernel']}; load average (1/5/15 min) {info['load']}",
        f"- host_exporter: {info['he_version']} (`{info['he_bin']}`)",
        f"- node_exporter: {info['ne_version']}",
        f"- command: `{info['command']}`",
        f"- same set, given to both: `{same_flags}`; own defaults: no collector flag",
        f"- N = {cfg['scrapes']} sequential scrapes per process and encoding, interleaved "
        f"round-robin with the read floor; idle window {cfg['idle']:g} s; wrk -t1 -c1, "
        f"{cfg['wrk_rounds']} round(s) of {cfg['wrk_seconds']} s per process and encoding "
        f"({', '.join(cfg['wrk_encodings'])}), median; start-up median of {cfg['startup_rounds']}",
        *[f"- note: {n}" for n in ctx["notes"]], "",
        markdown_table(MAIN_HEADER, rows), "", cg_line,
        *[floor_line(i) for i in he_insts], "",
        "## Targets", "",
        "Each ratio is host_exporter's over node_exporter's, started with the same collector "
        "flags (the floor row: over the floor). The same set is the "
        "like-for-like comparison; own defaults compares what each runs when given no "
        "collector flag, which are different collectors while host_exporter has fewer.", "",
        targets_table(insts, cg), "", details(insts, cfg), ""]
    return "\n".join(parts)


# ---------------------------------------------------------------- main


FULL = {"scrapes": 1000, "idle": 10.0, "wrk_rounds": 5, "wrk_seconds": 2, "startup_rounds": 5,
        "floor_batch": 10, "callgrind_scrapes": 100, "wrk_encodings": ["plain", "gzip"]}
QUICK = {"scrapes": 20, "idle": 0.5, "wrk_rounds": 1, "wrk_seconds": 1, "startup_rounds": 1,
         "floor_batch": 10, "callgrind_scrapes": 10, "wrk_encodings": ["plain"]}


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark host_exporter against node_exporter "
                                "(see bench/README.md).")
    p.add_argument("--quick", action="store_true",
                   help="small N and short windows, no callgrind: a smoke run of seconds")
    p.add_argument("--binary", type=Path,
                   help="host_exporter to measure (default: release build in --build-dir)")
    p.add_argument("--build-dir", type=Path,
                   default=Path(tempfile.gettempdir()) / "host_exporter-bench-build",
                   help="where the release build goes, outside the source tree "
                   "(default: %(default)s)")
    p.add_argument("--node-exporter", default="/usr/bin/prometheus-node-exporter",
                   help="node_exporter to compare with; if absent, host_exporter runs alone "
                   "(default: %(default)s)")
    p.add_argument("--scrapes", type=int, help="N (1000; quick 20)")
    p.add_argument("--idle-seconds", type=float, help="idle window (10; quick 0.5)")
    p.add_argument("--callgrind", action=argparse.BooleanOptionalAction,
                   help="measure instructions per scrape (default: on, off in --quick)")
    p.add_argument("--callgrind-scrapes", type=int, help="K (100; quick 10)")
    p.add_argument("--output", type=Path, help="markdown file to write (default: "
                   "bench/results/DATE-MACHINE.md; none in --quick)")
    p.add_argument("--machine", default=socket.gethostname(),
                   help="machine name in the results file name (default: hostname)")
    p.add_argument("--keep", type=Path,
                   help="keep logs, strace and callgrind files in this directory")
    args = p.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    cfg["scrapes"] = args.scrapes or cfg["scrapes"]
    cfg["idle"] = args.idle_seconds or cfg["idle"]
    cfg["callgrind_scrapes"] = args.callgrind_scrapes or cfg["callgrind_scrapes"]
    cfg["callgrind"] = (not args.quick) if args.callgrind is None else args.callgrind
    return args, cfg


def find_node_exporter(path, notes):
    if path and os.access(path, os.X_OK):
        return path
    notes.append(f"node_exporter not found at {path}: host_exporter measured alone, "
                 "no ratios to node_exporter")
    return None


def run_callgrind(children, ports, he_insts, cfg, tmp, ctx):
    if not cfg["callgrind"]:
        ctx["callgrind_why"] = "skipped (--quick)"
        return
    if not shutil.which("valgrind"):
        ctx["callgrind_why"] = "valgrind not installed"
        return
    for inst in he_insts:
        k = cfg["callgrind_scrapes"]
        log(f"callgrind: {inst.key}, 1 and {k + 1} scrapes")
        per, profile = callgrind_per_scrape(children, ports, inst.argv[0], inst.argv[1:], k,
                                            tmp, inst.key)
        ctx["callgrind"][inst.set_name] = f"{per:,.0f} (K = {k})"
        ctx["profiles"].append(profile)


def measure(args, cfg, children, tmp):
    """Runs every measurement in order and returns what report() needs."""
    notes = []
    load_start = load_average()
    he_bin = args.binary.resolve() if args.binary else build_release(args.build_dir)
    ne_bin = find_node_exporter(args.node_exporter, notes)
    insts, he_cols = make_instances(he_bin, ne_bin, notes)
    ports = Ports()
    log(f"start-up: {cfg['startup_rounds']} round(s) of {', '.join(i.key for i in insts)}")
    measure_startup(children, ports, insts, cfg["startup_rounds"], tmp)
    he_insts = [i for i in insts if i.tool == "host_exporter"]
    floors = setup_floors(children, he_insts, tmp, notes)
    for enc in ("plain", "gzip"):
        log(f"{cfg['scrapes']} {enc} scrapes per process, interleaved")
        measure_scrapes(insts, cfg["scrapes"], enc, floors, cfg["floor_batch"])
    for floor in floors:
        floor.proc.stdin.close()
        children.stop(floor.proc)
    log(f"idle window {cfg['idle']:g} s")
    measure_idle(insts, cfg["idle"])
    if shutil.which("wrk"):
        log("wrk latency")
        measure_latency(insts, cfg["wrk_rounds"], cfg["wrk_seconds"], cfg["wrk_encodings"])
    else:
        notes.append("wrk not installed: no latency")
    for inst in insts:
        status = children.stop(inst.proc)
        if inst.tool == "host_exporter" and status != 0:
            notes.append(f"{inst.key} exited with status {status} on SIGTERM")
    ctx = {"insts": insts, "cfg": cfg, "he_cols": he_cols, "notes": notes, "callgrind": {},
           "callgrind_why": "", "profiles": []}
    run_callgrind(children, ports, he_insts, cfg, tmp, ctx)
    info = machine_info()
    now = datetime.datetime.now(datetime.timezone.utc)
    info.update(load=f"{load_start} at start, {load_average()} at end",
                date=now.strftime("%Y-%m-%d"), time=now.strftime("%Y-%m-%d %H:%M UTC"),
                command=shlex.join(sys.argv), he_bin=he_bin, he_version=version_line(he_bin),
                ne_version=(f"{version_line(ne_bin)} (`{ne_bin}`)" if ne_bin else "absent"))
    ctx["info"] = info
    return ctx


def output_path(args, ctx):
    if args.output:
        return args.output
    if args.quick:
        return None
    machine = re.sub(r"[^A-Za-z0-9._-]+", "-", args.machine)
    return BENCH_DIR / "results" / f"{ctx['info']['date']}-{machine}.md"


def main(argv=None):
    args, cfg = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, raise_on_signal)
    children = Children()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tmp = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="he-bench-"))
    try:
        ctx = measure(args, cfg, children, tmp)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        log(f"error: {e}")
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the cleanup short
        children.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(ctx)
    print(text)
    path = output_path(args, ctx)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        log(f"saved {path}")
    for profile in ctx["profiles"] if args.keep else []:
        log(f"profile: callgrind_annotate {profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
