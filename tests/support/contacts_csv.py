"""Realistic contact CSVs: N rows, a share of repeated emails and a share of bad rows.

For the tests and the benchmarks; `python -m bench.generate 1000000 --duplicates 0.02 --bad
0.01 > contacts.csv` prints one.
"""

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass

FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
STAGES = ["subscriber", "lead", "opportunity", "customer"]
HEADER = "email,first_name,last_name,company,job_title,lifecycle_stage,score,tags\r\n"


@dataclass(frozen=True)
class Expected:
    rows: int
    duplicates: int
    bad: int

    @property
    def good(self) -> int:
        return self.rows - self.duplicates - self.bad


def plan(rows: int, duplicates: float, bad: float, seed: int = 7) -> tuple[list[str], Expected]:
    """Kinds of each row ("new", "dup", "bad"); repeats point back to earlier new rows."""
    rng = random.Random(seed)
    kinds = []
    for n in range(rows):
        roll = rng.random()
        if n > 10 and roll < duplicates:
            kinds.append("dup")
        elif roll < duplicates + bad:
            kinds.append("bad")
        else:
            kinds.append("new")
    expected = Expected(rows=rows, duplicates=kinds.count("dup"), bad=kinds.count("bad"))
    return kinds, expected


def lines(rows: int, duplicates: float, bad: float, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed + 1)
    kinds, _ = plan(rows, duplicates, bad, seed)
    news: list[int] = []
    yield HEADER
    for n, kind in enumerate(kinds):
        if kind == "dup" and news:
            original = news[rng.randrange(len(news))]
            # The same email, written differently: keys are trimmed and lower-cased.
            yield f" Person{original}@Example.com ,Again,,,,,,\r\n"
            continue
        if kind == "bad":
            yield f"person{n}@example.com,Bad,Row,,,lead,not-a-number,\r\n"
            continue
        news.append(n)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f'"{last} & Sons, Ltd"' if n % 7 == 0 else f"{last} Inc"
        title = '"Head of\r\nEngineering"' if n % 50 == 0 else "Engineer"
        yield (
            f"person{n}@example.com,{first},{last},{company},{title},"
            f"{STAGES[n % 4]},{n % 100},vip;crm\r\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("--duplicates", type=float, default=0.02)
    parser.add_argument("--bad", type=float, default=0.01)
    args = parser.parse_args()
    for line in lines(args.rows, args.duplicates, args.bad):
        sys.stdout.write(line)


if __name__ == "__main__":
    main()
