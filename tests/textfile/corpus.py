#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the hostile textfile corpus: one *.prom entry per case into DIR, and
DIR/expected.txt listing 'NAME ok|fail|skipdiff-ok|skipdiff-fail' per case.

'ok' and 'fail' say whether the textfile collector must read the file
(node_textfile_file_error 0 or 1). The plain cases are compared line by line
with Debian's node_exporter by textfile_test.py; 'skipdiff-' marks the cases
where host_exporter deliberately differs (it never emits invalid UTF-8 or NUL
bytes, caps labels per family, refuses FIFOs instead of hanging) or that would
hang node_exporter.

Usage: corpus.py DIR
"""
import os
import random
import sys

CASES = []


def case(name, expect, data):
    CASES.append((name, expect, data))


def text_cases():
    ok, fail = 'ok', 'fail'
    case('plain-untyped', ok, b'a 1\n')
    case('gauge-help', ok, b'# HELP g A gauge.\n# TYPE g gauge\ng{x="1"} 2.5\n')
    case('counter', ok, b'# TYPE c_total counter\nc_total 7\n')
    case('help-escapes', ok, b'# HELP h back\\\\slash new\\nline "quotes"\nh 1\n')
    case('label-escapes', ok, b'e{v="q\\"b\\\\n\\n"} 1\n')
    case('special-values', ok, b'v{k="1"} +Inf\nv{k="2"} -Inf\nv{k="3"} NaN\nv{k="4"} inf\n'
         b'v{k="5"} -infinity\nv{k="6"} nan\nv{k="7"} +inf\nv{k="8"} Infinity\n')
    case('exponents', ok, b'x{k="1"} 1e308\nx{k="2"} 1e-320\nx{k="3"} -0\nx{k="4"} .5\n'
         b'x{k="5"} 5.\nx{k="6"} 1E+3\nx{k="7"} 18446744073709551616\nx{k="8"} +5\n')
    case('blank-and-comments', ok, b'\n\n# just a comment\n#\n   \n# HELP\n# TYPE\nb 1\n\n')
    case('leading-blanks', ok, b'   l 1\n\t# HELP l indented\n')
    case('tabs', ok, b't\t{a="1"}\t3\n')
    case('trailing-comma', ok, b'tc{a="1",} 1\n')
    case('empty-braces', ok, b'eb{} 1\n')
    case('spaces-in-braces', ok, b'sb{ a = "1" , b="2" } 1\n')
    case('no-space-before-value', ok, b'ns{a="1"}2\n')
    case('histogram', ok, b'# HELP hg A histogram.\n# TYPE hg histogram\n'
         b'hg_bucket{le="0.1"} 1\nhg_bucket{le="1"} 3\nhg_bucket{le="+Inf"} 4\nhg_sum 2.5\nhg_count 4\n')
    case('histogram-no-inf', ok, b'# TYPE hn histogram\nhn_bucket{le="1"} 2\nhn_sum 1\nhn_count 5\n')
    case('histogram-interleaved', ok, b'# TYPE hi histogram\nhi_bucket{a="x",le="2"} 2\nother 1\n'
         b'hi_bucket{le="1",a="x"} 1\nhi_count{a="x"} 2\nhi_sum{a="y"} 9\n')
    case('histogram-odd-counts', ok, b'# TYPE ho histogram\nho_bucket{le="1"} 1.9\nho_count -1\n'
         b'ho_bucket{le="2"} NaN\nho_sum NaN\n')
    case('histogram-duplicate-le', ok, b'# TYPE hd histogram\nhd_bucket{le="1"} 1\nhd_bucket{le="1.0"} 3\n')
    case('histogram-bare-name', ok, b'# TYPE hb histogram\nhb{a="1"} 4\n')
    case('summary', ok, b'# TYPE sm summary\nsm{quantile="0.5"} 1\nsm{quantile="0.99"} 2\n'
         b'sm_sum 10\nsm_count 3\n')
    case('summary-no-quantiles', ok, b'# TYPE sq summary\nsq_sum{a="1"} 1\nsq_count{a="1"} 1.5\n')
    case('summary-duplicate-quantile', ok, b'# TYPE sd summary\nsd{quantile="0.5"} 1\n'
         b'sd{quantile="0.50"} 2\n')
    case('summary-sum-with-quantile', ok, b'# TYPE ss summary\nss_sum{quantile="0.5"} 1\n')
    case('label-union', ok, b'u{a="1"} 1\nu{b="2"} 2\nu{c="3",a="4"} 3\n')
    case('help-after-samples', ok, b'ha 1\n# HELP ha late help\n')
    case('trailing-blanks-at-eof', ok, b'tb 1\n   ')
    case('colons', ok, b'a:b:c 1\n:lead 2\n')
    case('utf8-label', ok, 'u8{v="h\u00e9llo \u4e16\u754c \U0001f600"} 1\n'.encode())
    case('duplicate-series', ok, b'ds{a="1"} 1\nds{a="1"} 2\n')
    case('type-any-case', ok, b'# TYPE tc2 GaUgE\ntc2 1\n')
    case('help-without-space', ok, b'#HELP hw text\nhw 1\n')
    case('comment-only', ok, b'# HELP co nothing\n# TYPE co gauge\n')
    case('empty', ok, b'')
    case('blanks-only', ok, b'   \t ')
    case('help-for-other-family', ok, b'# HELP nothere x\nhere 1\n')
    case('count-before-type', ok, b'cb_count 1\n# TYPE cb summary\ncb_count 2\n')
    case('count-of-gauge', ok, b'# TYPE cg gauge\ncg_count 3\n')
    case('quantile-on-gauge', ok, b'qg{quantile="x"} 1\n')
    case('le-on-untyped', ok, b'lu{le="abc"} 1\n')
    case('long-name', ok, b'n' * 10000 + b' 1\n')
    case('long-label-value', ok, b'lv{v="' + b'x' * (1 << 20) + b'"} 1\n')
    case('many-series', ok, b''.join(b'ms{i="%d"} %d\n' % (i, i) for i in range(100000)))
    case('many-families', ok, b''.join(b'mf_%d %d\n' % (i, i) for i in range(20000)))
    case('blank-then-timestamp', fail, b'tv 1 \t2\n')
    case('timestamp', fail, b'ts 1 1700000000000\n')
    case('timestamp-negative', fail, b'tn 1 -5\n')
    case('timestamp-some-lines', fail, b'tsl 1\ntsl{a="b"} 2 123\n')
    case('crlf', fail, b'cr 1\r\n')
    case('no-final-newline', fail, b'nf 1')
    case('comment-no-final-newline', fail, b'nc 1\n# end')
    case('hash-at-eof', fail, b'he 1\n#')
    case('trailing-space', fail, b'tsp 1 \n')
    case('invalid-utf8-label', fail, b'iu{v="\xff\xfe"} 1\n')
    case('overlong-utf8-label', fail, b'ol{v="\xc0\xaf"} 1\n')
    case('surrogate-utf8-label', fail, b'sg{v="\xed\xa0\x80"} 1\n')
    case('unterminated-quote', fail, b'uq{v="abc} 1\n')
    case('unterminated-brace', fail, b'ub{v="abc" 1\n')
    case('bad-label-escape', fail, b'be{v="\\t"} 1\n')
    case('bad-help-escape', fail, b'# HELP bh a \\t b\nbh 1\n')
    case('help-escaped-quote', fail, b'# HELP hq a \\" b\nhq 1\n')
    case('second-help', fail, b'# HELP sh one\n# HELP sh two\nsh 1\n')
    case('second-type', fail, b'# TYPE st gauge\n# TYPE st gauge\nst 1\n')
    case('type-after-samples', fail, b'tas 1\n# TYPE tas gauge\n')
    case('type-of-count', fail, b'# TYPE tcn summary\n# TYPE tcn_count counter\n')
    case('unknown-type', fail, b'# TYPE ut weird\nut 1\n')
    case('type-trailing-space', fail, b'# TYPE tts gauge \ntts 1\n')
    case('gauge-histogram', fail, b'# TYPE gh gauge_histogram\ngh 1\n')
    case('name-starts-with-digit', fail, b'1abc 1\n')
    case('label-starts-with-digit', fail, b'ld{1a="x"} 1\n')
    case('reserved-name-label', fail, b'rl{__name__="x"} 1\n')
    case('duplicate-label', fail, b'dl{a="1",a="2"} 1\n')
    case('missing-equals', fail, b'me{a "1"} 1\n')
    case('unquoted-value', fail, b'uv{a=1} 1\n')
    case('missing-value', fail, b'mv{a="1"}\n')
    case('missing-value-no-labels', fail, b'mvn\n')
    case('garbage-value', fail, b'gv abc\n')
    case('underscore-value', fail, b'us 1_000\n')
    case('hex-value', fail, b'hx 0x1p3\n')
    case('hex-no-p', fail, b'hy 0x10\n')
    case('overflow-value', fail, b'ov 1e400\n')
    case('plus-nan', fail, b'pn +NaN\n')
    case('infin', fail, b'ii infin\n')
    case('timestamp-float', fail, b'tf 1 1.5\n')
    case('spurious-after-timestamp', fail, b'sa 1 2 x\n')
    case('timestamp-trailing-space', fail, b'tt 1 2 \n')
    case('bad-le', fail, b'# TYPE bl histogram\nbl_bucket{le="one"} 1\n')
    case('bad-quantile', fail, b'# TYPE bq summary\nbq{quantile=""} 1\n')
    case('newline-in-label', fail, b'nl{v="a\nb"} 1\n')
    case('brace-at-line-start', fail, b'{a="1"} 1\n')
    case('help-bad-name', fail, b'# HELP 1x y\n')
    case('help-name-then-garbage', fail, b'# HELP a-b y\n')
    case('cr-line', fail, b'ok 1\n\r\n')
    case('label-garbage-after-value', fail, b'lg{a="1"x} 1\n')
    case('lone-label-comma', fail, b'lc{,} 1\n')
    case('value-then-garbage', fail, b'vg 1x\n')
    case('unclosed-at-eof', fail, b'ue{a="1"')
    case('long-line-no-newline', fail, b'll ' + b'9' * (1 << 20))
    rng = random.Random(1)
    for i in range(8):
        case('random-bytes-%d' % i, fail, bytes(rng.randrange(256) for _ in range(4096)) + b'\x00{')
    case('nul-in-middle', fail, b'nm 1\nn\x00m 2\n')
    case('skipdiff-nul-in-label', 'skipdiff-fail', b'nu{v="a\x00b"} 1\n')
    case('skipdiff-invalid-utf8-help', 'skipdiff-ok', b'# HELP ih bad \xff byte\nih 1\n')
    case('skipdiff-too-many-labels', 'skipdiff-fail',
         b'tm{' + b','.join(b'l%d="v"' % i for i in range(40)) + b'} 1\n')
    case('skipdiff-too-many-label-names', 'skipdiff-fail',
         b''.join(b'tn2{l%d="v"} %d\n' % (i, i) for i in range(40)))
    case('skipdiff-reserved-label-prefix', 'skipdiff-ok', b'rp{__x="1"} 1\nrp2 1\n')


def write(dirpath):
    os.makedirs(dirpath, exist_ok=True)
    with open(os.path.join(dirpath, 'expected.txt'), 'w') as expected:
        for name, expect, data in CASES:
            with open(os.path.join(dirpath, name + '.prom'), 'wb') as f:
                f.write(data)
            expected.write('%s %s\n' % (name + '.prom', expect))
        # node_exporter 1.5 reads a directory as an empty file: its parser took any
        # read error at a line start for the end of input; 1.12's reports it.
        special = [('skipdiff-directory.prom', 'skipdiff-fail'), ('symlink-loop.prom', 'fail'),
                   ('dangling-symlink.prom', 'fail'), ('symlink-to-file.prom', 'ok'),
                   ('skipdiff-fifo.prom', 'skipdiff-fail')]
        os.mkdir(os.path.join(dirpath, 'skipdiff-directory.prom'))
        os.symlink('symlink-loop.prom', os.path.join(dirpath, 'symlink-loop.prom'))
        os.symlink('does-not-exist', os.path.join(dirpath, 'dangling-symlink.prom'))
        os.symlink('plain-untyped.prom', os.path.join(dirpath, 'symlink-to-file.prom'))
        os.mkfifo(os.path.join(dirpath, 'skipdiff-fifo.prom'))
        for name, expect in special:
            expected.write('%s %s\n' % (name, expect))
    # Not *.prom: a file being written, to be ignored.
    with open(os.path.join(dirpath, 'partial.prom.12345'), 'wb') as f:
        f.write(b'half 1')


if __name__ == '__main__':
    text_cases()
    write(sys.argv[1])
