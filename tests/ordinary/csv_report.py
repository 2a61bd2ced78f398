import csv, io
from collections import defaultdict, Counter
from statistics import mean, median
from decimal import Decimal, ROUND_HALF_UP

raw = "region,product,amount\nnorth,pen,12.50\nsouth,pen,3.10\nnorth,book,40\nsouth,mug,7.25\nnorth,pen,2.40\n"
rows = list(csv.DictReader(io.StringIO(raw)))
totals = defaultdict(Decimal)
for r in rows:
    totals[r["region"]] += Decimal(r["amount"])
counts = Counter(r["product"] for r in rows)
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(["region", "total"])
for region, total in sorted(totals.items()):
    w.writerow([region, total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)])
print(out.getvalue(), end="")
print(counts.most_common(2))
amounts = [float(r["amount"]) for r in rows]
print(round(mean(amounts), 3), median(amounts))
