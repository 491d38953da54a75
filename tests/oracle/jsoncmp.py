#!/usr/bin/env python3
"""jsoncmp.py [--rel TOL] EXPECTED.json ACTUAL.json

Exit 0 when every key of EXPECTED is in ACTUAL with an equal value, recursively;
keys only in ACTUAL are ignored (moestat prints more keys than the oracle).
Equality: lists have the same length and equal elements; integers are JSON
integers in both files and exactly equal; floats agree within relative 1e-12
or absolute 1e-15 (--rel TOL: relative TOL instead of 1e-12, for a comparison
that is known to need more, said so where it is used); null equals only null;
strings and booleans are exact.
On a mismatch print the JSON path and both values to stderr and exit 1
(every mismatch is printed, up to a limit). Unreadable input: exit 2.
"""

import json
import math
import sys

REL_TOL = 1e-12
ABS_TOL = 1e-15
MAX_REPORTS = 20


def kind(v):
    # bool is a subclass of int in Python; JSON keeps them apart, so do we.
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    return "object"


def compare(exp, act, path, errors):
    ke, ka = kind(exp), kind(act)
    if ke != ka:
        # Includes 3 vs 3.0: the schema says which numbers are integers.
        errors.append(f"{path}: expected {ke} {dump(exp)}, got {ka} {dump(act)}")
    elif ke == "object":
        for k, v in exp.items():
            sub = f"{path}.{k}"
            if k not in act:
                errors.append(f"{sub}: missing (expected {dump(v)})")
            else:
                compare(v, act[k], sub, errors)
    elif ke == "list":
        if len(exp) != len(act):
            errors.append(f"{path}: expected a list of {len(exp)}, got {len(act)}")
        else:
            for i, (e, a) in enumerate(zip(exp, act)):
                compare(e, a, f"{path}[{i}]", errors)
    elif ke == "float":
        if not math.isclose(exp, act, rel_tol=rel_tol, abs_tol=ABS_TOL):
            errors.append(f"{path}: expected {exp!r}, got {act!r}")
    elif exp != act:
        errors.append(f"{path}: expected {dump(exp)}, got {dump(act)}")


def dump(v):
    s = json.dumps(v)
    return s if len(s) <= 200 else s[:200] + "..."


def reject_constant(name):
    # Python's json accepts NaN/Infinity; they are not JSON, so a file holding
    # them is malformed rather than comparable.
    raise ValueError(f"non-JSON constant {name}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=reject_constant)


rel_tol = REL_TOL


def main(argv):
    global rel_tol
    argv = list(argv)
    if len(argv) >= 3 and argv[1] == "--rel":
        try:
            rel_tol = float(argv[2])
        except ValueError:
            rel_tol = -1.0
        if not (rel_tol >= 0 and math.isfinite(rel_tol)):
            print(f"jsoncmp.py: bad --rel {argv[2]!r}", file=sys.stderr)
            return 2
        del argv[1:3]
    if len(argv) != 3:
        print(__doc__.strip().split("\n")[0], file=sys.stderr)
        return 2
    try:
        exp, act = load(argv[1]), load(argv[2])
    except (OSError, ValueError) as e:
        print(f"jsoncmp.py: {e}", file=sys.stderr)
        return 2
    errors = []
    compare(exp, act, "$", errors)
    for e in errors[:MAX_REPORTS]:
        print(e, file=sys.stderr)
    if len(errors) > MAX_REPORTS:
        print(f"... and {len(errors) - MAX_REPORTS} more mismatches", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
