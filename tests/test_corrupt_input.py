"""Corrupt files never crash the loader: hundreds of seeded mutations of the real policy file."""

from __future__ import annotations

import random

from policykit.engine.build import load_and_check

VERSION = "policy/social-media/versions/2023.1.yaml"


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random corruption: flipped bytes, a deleted or duplicated line, or a truncation."""
    lines = data.split(b"\n")
    choice = rng.randrange(5)
    if choice == 0:
        position = rng.randrange(len(data))
        return data[:position] + bytes([rng.randrange(256)]) + data[position + 1:]
    if choice == 1:
        del lines[rng.randrange(len(lines))]
    elif choice == 2:
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines)), lines[i])
    elif choice == 3:
        return data[:rng.randrange(len(data))]
    else:
        i = rng.randrange(len(lines))
        lines[i] = rng.choice([b"\t", b"  ", b"- ", b"&a ", b"*a", b"!!python/object:os.system ",
                               b"? ", b"{", b"'", b'"', b"<<: *a", b"\x00"]) + lines[i]
    return b"\n".join(lines)


def test_mutated_files_give_problems_not_tracebacks(scratch):
    rng = random.Random(20261124)
    path = scratch / VERSION
    original = path.read_bytes()
    outcomes = {"clean": 0, "problems": 0}
    for _ in range(300):
        path.write_bytes(mutate(original, rng))
        _, problems = load_and_check(scratch)
        errors = [p for p in problems if p.severity == "error"]
        outcomes["problems" if errors else "clean"] += 1
        for problem in errors:
            assert problem.source.path.startswith(("policy/", "quizzes/")), problem
            assert problem.message, problem
    assert outcomes["problems"] > 150  # most corruptions are caught, none crashed
