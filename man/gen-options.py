#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Completes a scdoc page with the flags of the binary just built.

Reads the page (scdoc source) and replaces its line "; @OPTIONS@" with two
sections made from "host_exporter --help": OPTIONS (every flag that is not a
collector's) and COLLECTOR FLAGS (each collector's --[no-]collector.NAME with
the flags that follow it in --help, under a subsection per collector). The
page then lists every flag the binary has, in --help's words, with nothing to
keep in step by hand; tests/manpage_test.py checks the result and the
hand-written text around it.

Usage: gen-options.py BINARY PAGE.scd > FULL.scd
"""
import re
import subprocess
import sys

MARKER = '; @OPTIONS@'
FLAG_LINE = re.compile(r'^ {2,}((?:-[a-z], )?--\S.*)$')
ENABLE = re.compile(r'^--\[no-\]collector\.([a-z0-9_]+)$')


def parse_help(binary):
    """Returns [(spec, help text)] in --help order; spec is the flag line as printed."""
    out = subprocess.run([binary, '--help'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         check=True, text=True).stdout
    flags = []
    for line in out.splitlines():
        m = FLAG_LINE.match(line)
        if m and not line.startswith('       '):
            flags.append([m.group(1), []])
        elif flags and line.startswith('       ') and line.strip():
            flags[-1][1].append(line.strip())
    return [(spec, ' '.join(text)) for spec, text in flags]


def split_short(spec):
    """('-h', '--[no-]help') from '-h, --[no-]help'; ('', spec) without a short flag."""
    m = re.match(r'(-[a-z]), (--.*)$', spec)
    return m.groups() if m else ('', spec)


def escape(text):
    """Text taken literally by scdoc: backslash, * (bold) and _ (underline) escaped."""
    return re.sub(r'([\\*_])', r'\\\1', text)


def entry(spec, text):
    """One flag as scdoc: the flag in bold, its value as --help prints it, the help indented."""
    short, spec = split_short(spec)
    name, sep, rest = spec.partition('=')
    if not sep:
        name, sep, rest = spec.partition(' ')
    head = ('*' + short + '*, ' if short else '') + '*' + escape(name) + '*'
    if rest:
        value = re.fullmatch(r'([A-Z][A-Z0-9.-]*)( \.\.\.)?', rest)
        if value:
            rest = '_' + value.group(1) + '_' + (value.group(2) or '')
        else:
            rest = escape(rest)
        head += escape(sep) if sep == ' ' else sep
        head += rest
    return [head, '\t' + escape(text or '-'), '']


def sections(flags):
    """The OPTIONS and COLLECTOR FLAGS sections as scdoc lines."""
    general, by_collector, current = [], [], None
    for spec, text in flags:
        m = ENABLE.match(spec)
        bare = split_short(spec)[1]
        if m:
            current = m.group(1)
            default = re.search(r'\(default: (\w+)\)', text)
            by_collector.append((current, default.group(1) if default else '', []))
        name = re.sub(r'^--(\[no-\])?', '', bare.split('=')[0].split(' ')[0])
        if name.startswith('collector.') and name != 'collector.disable-defaults' and current:
            by_collector[-1][2].extend(entry(spec, text))
        else:
            general.extend(entry(spec, text))
    lines = ['# OPTIONS', '', 'From *host\\_exporter --help*, where each flag also shows its '
             'default. A boolean flag written *--[no-]NAME* is switched on by *--NAME* and off by '
             '*--no-NAME*.', ''] + general
    lines += ['# COLLECTOR FLAGS', '', 'Each collector (see *COLLECTORS*) is switched on by '
              '*--collector.NAME* and off by *--no-collector.NAME*; the flags that tune it follow.',
              '']
    for name, default, entries in by_collector:
        lines += ['## ' + escape(name) + (' (%s by default)' % default if default else ''), '']
        lines += entries
    return lines


def main():
    binary, page = sys.argv[1], sys.argv[2]
    with open(page, encoding='utf-8') as f:
        src = f.read().splitlines()
    if src.count(MARKER) != 1:
        sys.exit('gen-options: %s must hold the line "%s" once' % (page, MARKER))
    at = src.index(MARKER)
    out = src[:at] + sections(parse_help(binary)) + src[at + 1:]
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
