# Reads a file the host handed in (run with --file sales.csv=examples/sales.csv).
# The script sees only that virtual, read-only file; nothing else on the host.
import collections

totals = collections.defaultdict(int)
with open("sales.csv") as f:
    header = f.readline().strip().split(",")
    for line in f:
        row = dict(zip(header, line.strip().split(",")))
        totals[row["region"]] += int(row["amount"])

for region, amount in sorted(totals.items()):
    print(f"{region:>6}: {amount}")
