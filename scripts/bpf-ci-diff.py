#!/usr/bin/env python3
"""bpf-ci-diff.py [--run NAME] [--only FILE] W SUITES EXPECT [KERNEL...]:
the verdict of make bpf-ci.

Reads W/run-KERNEL/SUITE.log (dmesg and the console too) for each kernel,
prints each suite's counts per kernel and the differential:
  - regressions: a test or subtest that passed (OK) on stock and did not
    on the series (failed, or did not run);
  - the reproducers (EXPECT's "Expect-fail:" lines): fail on stock, pass
    on the series; only those that ran (T= may leave some out);
  - kernel reports (BUG, WARNING, lockdep, ...) of the series' run that
    the stock run did not have;
  - not runnable here: what failed or was skipped on both, with the last
    line of its log (from the series' JSON summary).
Writes W/regressions (one "SUITE NAME" per line; bpf-ci.sh re-runs
them). --run NAME reads W/NAME-KERNEL instead of W/run-KERNEL; --only
FILE (a re-run) judges only the tests FILE lists, and no reproducers; a
listed test a re-run did not reach stays a regression.
Exit: 0 the differential is empty; 1 regressions and nothing else; 3 a
reproducer not as expected or a kernel report of the series' own; 2 a
run missing or unfinished.
"""
import json
import os
import re
import sys

TP = re.compile(r'^#(\d+)(?:/(\d+))?\s+(.+):(OK|SKIP|FAIL)\b(.*)$')
# test_verifier: "#N/p DESCR OK", or FAIL/SKIP with a reason after it;
# descriptions repeat, so the number is part of the name (one binary).
TV = re.compile(r'^#(\d+)/([up]) (.*) (OK|SKIP|FAIL)\b')
REPORT = re.compile(r'(BUG:|WARNING:|Oops|general protection fault|'
                    r'possible circular locking|possible recursive locking|'
                    r'suspicious RCU usage|INFO: task .* blocked|'
                    r'rcu_.*detected stall|soft lockup|hard LOCKUP|'
                    r'Kernel panic|UBSAN:|KASAN:|kmemleak|refcount_t:)')


def parse(path, suite):
    """{name: OK|SKIP|FAIL}, finished?"""
    res, done = {}, False
    try:
        f = open(path, errors='replace')
    except OSError:
        return None, False
    with f:
        for line in f:
            line = line.rstrip('\n')
            if suite.startswith('test_progs'):
                if line.startswith('All error logs:'):
                    break
                if line.startswith('Summary:'):
                    done = True
                m = TP.match(line)
                if m:
                    res[m.group(3)] = m.group(4)
            elif suite == 'test_verifier':
                if line.startswith('Summary:'):
                    done = True
                m = TV.match(line)
                if m:
                    res['#%s/%s %s' % (m.group(1), m.group(2), m.group(3))] = m.group(4)
            elif suite == 'test_maps':
                if line.startswith('test_maps: OK'):
                    res['test_maps'] = 'OK'
                    done = True
        # test_progs prints "Summary:" after the error logs.
        if suite.startswith('test_progs') and not done:
            done = any(l.startswith('Summary:') for l in f)
    if suite == 'test_maps' and 'test_maps' not in res:
        res['test_maps'] = 'FAIL'
        done = True
    return res, done


def reasons(path):
    """{name: first line of the failure log} from a JSON summary."""
    out = {}
    try:
        with open(path) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return out
    for t in j.get('results', []):
        msg = (t.get('message') or '').strip().splitlines()
        out[t['name']] = msg[-1][:120] if msg else ''
        for s in t.get('subtests', []):
            m = (s.get('message') or '').strip().splitlines()
            out['%s/%s' % (t['name'], s['name'])] = m[-1][:120] if m else ''
    return out


def reports(*paths):
    """Kernel reports in dmesg and on the console (a panic ends the guest
    before its dmesg is kept), without timestamps, addresses and pids."""
    sigs = set()
    for path in paths:
        try:
            f = open(path, errors='replace')
        except OSError:
            continue
        with f:
            for line in f:
                m = REPORT.search(line)
                if m:
                    s = re.sub(r'^\[[^]]*\]\s*', '', line.strip())
                    s = re.sub(r'0x[0-9a-f]+|\b[0-9a-f]{8,}\b|\d+', 'N', s)
                    sigs.add(s[:160])
    return sigs


def main():
    args, run, only = sys.argv[1:], 'run', None
    while args and args[0].startswith('--'):
        if args[0] == '--run' and len(args) > 1:
            run = args[1]
        elif args[0] == '--only' and len(args) > 1:
            with open(args[1]) as f:
                only = {tuple(l.rstrip('\n').split(' ', 1)) for l in f if ' ' in l}
        else:
            print('bpf-ci-diff.py: unknown option %s; valid: --run NAME, --only FILE' % args[0],
                  file=sys.stderr)
            sys.exit(2)
        args = args[2:]
    w, suites, expect = args[0], args[1].split(), args[2]
    kernels = args[3:] or ['stock', 'series']
    repro = []
    with open(expect) as f:
        for line in f:
            if line.startswith('Expect-fail:'):
                repro += line.split(':', 1)[1].split()
    bad = 0
    results = {}
    for k in kernels:
        for s in suites:
            r, done = parse(os.path.join(w, run + '-' + k, s + '.log'), s)
            if r is None or not done:
                print('%s on %s: %s' % (s, k, 'no log' if r is None else
                                        'did not finish (see %s-%s/console)' % (run, k)))
                bad = 2
            results[k, s] = r or {}
    other = 0
    print('%-22s %s' % ('suite', '  '.join('%-24s' % k for k in kernels)))
    for s in suites:
        cols = []
        for k in kernels:
            r = results[k, s]
            n = {v: sum(1 for x in r.values() if x == v) for v in ('OK', 'SKIP', 'FAIL')}
            cols.append('%-24s' % ('%d ok %d skip %d fail' % (n['OK'], n['SKIP'], n['FAIL'])))
        print('%-22s %s' % (s, '  '.join(cols)))
    if len(kernels) < 2:
        open(os.path.join(w, 'regressions'), 'w').close()
        return bad
    st, se = kernels[0], kernels[1]
    regress, notrun = [], []
    for s in suites:
        a, b = results[st, s], results[se, s]
        why = reasons(os.path.join(w, run + '-' + se, s + '.json'))
        names = set(a) | set(b) | {n for t, n in (only or ()) if t == s}
        for name in sorted(names):
            if name in repro or (only is not None and (s, name) not in only):
                continue
            if only is not None and name not in a:
                # A re-run that did not reach it judges nothing.
                regress.append((s, name, 'not reached again on ' + st, ''))
            elif a.get(name) == 'OK' and b.get(name) != 'OK':
                regress.append((s, name, b.get(name, 'did not run'), why.get(name, '')))
            elif a.get(name) != 'OK' and b.get(name) != 'OK':
                notrun.append((s, name, a.get(name, '-'), b.get(name, '-'), why.get(name, '')))
    if only is not None or not any(s.startswith('test_progs') for s in suites):
        repro = []
    else:
        print('\nreproducers (fail on %s, pass on %s):' % (st, se))
    for name in repro:
        got = [results[k, s].get(name) for k in (st, se) for s in suites
               if s.startswith('test_progs') and name in results[k, s]]
        if not got:
            # T= may leave a reproducer out; a whole run may not.
            print('  %-55s did not run' % name)
            if not os.environ.get('T'):
                other = 1
            continue
        ok = all(results[st, s].get(name, 'FAIL') == 'FAIL' and results[se, s].get(name) == 'OK'
                 for s in suites if s.startswith('test_progs') and
                 (name in results[st, s] or name in results[se, s]))
        print('  %-55s %s' % (name, 'as expected' if ok else 'NOT as expected'))
        if not ok:
            other = 1
    print('\nregressions (OK on %s, not on %s): %d' % (st, se, len(regress)))
    for s, name, got, why in regress:
        print('  %s %s: %s %s' % (s, name, got, why))
    with open(os.path.join(w, 'regressions'), 'w') as f:
        for s, name, _, _ in regress:
            f.write('%s %s\n' % (s, name))
    new = reports(os.path.join(w, run + '-' + se, 'dmesg'), os.path.join(w, run + '-' + se, 'console')) - \
        reports(os.path.join(w, run + '-' + st, 'dmesg'), os.path.join(w, run + '-' + st, 'console'))
    print('\nkernel reports on %s only: %d' % (se, len(new)))
    for r in sorted(new):
        print('  ' + r)
    if new:
        other = 1
    print('\nnot OK on either kernel (%d; %s, %s, reason on %s):' % (len(notrun), st, se, se))
    for s, name, x, y, why in notrun:
        print('  %s %s: %s %s %s' % (s, name, x, y, why))
    if bad:
        return bad
    if other:
        return 3
    return 1 if regress else 0


if __name__ == '__main__':
    sys.exit(main())
