#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The man pages against the binary, so that they cannot drift from it.

1. Every flag of "host_exporter --help" is in the OPTIONS or COLLECTOR FLAGS
   section that man/gen-options.py makes from it, and in the built page
   (roff, when scdoc built one): a missing flag is named.
2. Every collector of --help is in host_exporter(1)'s hand-written COLLECTORS
   section, under the default --help gives it ("Enabled by default" or
   "Disabled by default"); a collector listed there that --help lacks fails.
3. Every flag the hand-written text of man/*.scd names exists in --help, so a
   renamed or removed flag cannot stay documented.

Usage: manpage_test.py HOST_EXPORTER SOURCE_ROOT [BUILT_PAGE.1 ...]
"""
import os
import re
import subprocess
import sys

from tap import check, finish

FLAG_LINE = re.compile(r'^ {2,}(?:-[a-z], )?--(?:\[no-\])?([A-Za-z0-9._-]+)')
ENABLE = re.compile(r'^ +--\[no-\]collector\.([a-z0-9_]+)$')
DEFAULT = re.compile(r'Enable the ([a-z0-9_]+) collector \(default: (enabled|disabled)\)')
# A flag named in prose: --name with at least one dot (every flag but --help and
# --version has one; --flag and --name in the grammar paragraph have none).
PROSE_FLAG = re.compile(r'(?<![\w-])--(?:\[no-\]|no-)?([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+|help|version)')


def help_text(binary):
    return subprocess.run([binary, '--help'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=True).stdout


def parse_help(text):
    """(flag names without --/[no-], {collector: 'enabled'|'disabled'}) from --help."""
    flags, collectors, pending = [], {}, None
    for line in text.splitlines():
        if line.startswith('       '):
            m = DEFAULT.search(line)
            if pending and m and m.group(1) == pending:
                collectors[pending] = m.group(2)
            pending = None
            continue
        m = FLAG_LINE.match(line)
        if m:
            flags.append(m.group(1))
            e = ENABLE.match(line)
            pending = e.group(1) if e else None
    return flags, collectors


def scd_lines(path):
    """The page's text without scdoc comments."""
    with open(path, encoding='utf-8') as f:
        return [l for l in f.read().splitlines() if not l.startswith(';')]


def documented_collectors(lines):
    """{collector: 'enabled'|'disabled'} and duplicates, from the COLLECTORS section."""
    found, dups, section, default = {}, [], None, None
    for line in lines:
        if line.startswith('# '):
            section = line[2:].strip()
            continue
        if section != 'COLLECTORS':
            continue
        m = re.match(r'## (Enabled|Disabled) by default$', line)
        if m:
            default = m.group(1).lower()
            continue
        m = re.match(r'\*([a-z0-9_]+)\*$', line)
        if m and default:
            if m.group(1) in found:
                dups.append(m.group(1))
            found[m.group(1)] = default
    return found, dups


def roff_text(path):
    """The roff page with scdoc's font changes and \\& dropped, as plain lines."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return re.sub(r'\\f[BIRP]|\\&', '', text).replace('\\\\', '\\')


def main():
    binary, src = sys.argv[1], sys.argv[2]
    built = sys.argv[3:]
    flags, collectors = parse_help(help_text(binary))
    check('--help lists flags and collectors (%d flags, %d collectors)'
          % (len(flags), len(collectors)), len(flags) > 20 and len(collectors) > 20)
    page1 = os.path.join(src, 'man', 'host_exporter.1.scd')

    # 1. The generated sections, and the built page, hold every flag.
    gen = subprocess.run([sys.executable, os.path.join(src, 'man', 'gen-options.py'), binary,
                          page1], stdout=subprocess.PIPE, text=True, check=True).stdout
    entries = {re.sub(r'\\(.)', r'\1', e) for e in re.findall(
        r'^(?:\*-[a-z]\*, )?\*--(?:\[no-\])?([^*]+)\*', gen, re.M)}
    missing = [f for f in flags if f not in entries]
    check('gen-options.py documents every flag of --help', not missing,
          '\n'.join('missing from the generated OPTIONS: --' + f for f in missing))
    for page in built:
        if not page.endswith('.1'):
            continue
        text = roff_text(page)
        missing = [f for f in flags if not re.search(
            r'^(?:-[a-z], )?--(?:\[no-\])?' + re.escape(f) + r'(?![\w.-])', text, re.M)]
        check('built %s has every flag of --help' % os.path.basename(page), not missing,
              '\n'.join('missing from %s: --%s' % (page, f) for f in missing))
    for page in built:
        with open(page, encoding='utf-8') as f:
            head = f.read(4096)
        check('built %s is a man page' % os.path.basename(page), '.TH "' in head)

    # 2. Every collector, under its default.
    listed, dups = documented_collectors(scd_lines(page1))
    missing = sorted(set(collectors) - set(listed))
    check('COLLECTORS lists every collector of --help', not missing,
          '\n'.join('collector missing from man/host_exporter.1.scd: ' + c for c in missing))
    gone = sorted(set(listed) - set(collectors))
    check('COLLECTORS lists no collector --help lacks', not gone,
          '\n'.join('collector documented but not in --help: ' + c for c in gone))
    wrong = sorted(c for c in listed if c in collectors and listed[c] != collectors[c])
    check('COLLECTORS puts each collector under its default', not wrong,
          '\n'.join('%s is %s by default, documented as %s' % (c, collectors[c], listed[c])
                    for c in wrong))
    check('COLLECTORS lists each collector once', not dups, 'listed twice: ' + ' '.join(dups))

    # 3. No flag named in the hand-written text is gone.
    known = set(flags)
    stale = []
    for name in sorted(os.listdir(os.path.join(src, 'man'))):
        if not name.endswith('.scd'):
            continue
        with open(os.path.join(src, 'man', name), encoding='utf-8') as f:
            lines = f.read().splitlines()
        for n, line in enumerate(lines, 1):
            if line.startswith(';'):
                continue  # a scdoc comment
            for flag in PROSE_FLAG.findall(line):
                flag = flag.rstrip('.')
                if re.search(r'(^|\.)[A-Z]+($|\.)', flag) or flag in known:
                    continue  # a pattern such as collector.NAME, or a real flag
                stale.append('man/%s:%d: --%s is not a flag of --help' % (name, n, flag))
    check('every flag the man pages name exists', not stale, '\n'.join(stale))
    finish()


if __name__ == '__main__':
    main()
