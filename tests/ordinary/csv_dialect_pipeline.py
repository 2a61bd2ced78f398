import csv
import io
from decimal import Decimal

class Semicolon(csv.Dialect):
    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = True
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL

csv.register_dialect("semi", Semicolon)
csv.register_dialect("pipes", delimiter="|", lineterminator="\n", quoting=csv.QUOTE_ALL)

raw = '''sku; name; qty; price
A-1; "Widget; large"; 4; 2.50
B-7; Gadget; 10; 0.99
C-3; "Thing ""deluxe"""; 1; 19.00
'''
reader = csv.DictReader(io.StringIO(raw), dialect="semi")
rows = []
for row in reader:
    row["qty"] = int(row["qty"])
    row["price"] = Decimal(row["price"])
    rows.append(row)
    print(reader.line_num, row["sku"], repr(row["name"]))
print("fields:", reader.fieldnames, sorted(csv.list_dialects())[-3:])

out = io.StringIO()
writer = csv.DictWriter(out, fieldnames=["sku", "name", "total"], dialect="pipes", extrasaction="ignore")
writer.writeheader()
for row in rows:
    writer.writerow({**row, "total": row["qty"] * row["price"]})
print(out.getvalue(), end="")

buf = io.StringIO()
w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
w.writerows([["label", "value"], ["pi", 3.14], ["e", 2.718], ['say "hi"', 1]])
print(buf.getvalue(), end="")
buf.seek(0)
back = list(csv.reader(buf, quoting=csv.QUOTE_NONNUMERIC))
print(back[1:], type(back[1][1]).__name__)

sample = "id,score\n1,50\n2,75\n"
sniffer = csv.Sniffer()
dialect = sniffer.sniff(sample)
print("sniffed", repr(dialect.delimiter), sniffer.has_header(sample))
d = csv.get_dialect("semi")
print(d.delimiter, d.skipinitialspace, d.quoting == csv.QUOTE_MINIMAL)
report = io.StringIO()
print("summary", file=report)
print(f"items={len(rows)}", f"units={sum(r['qty'] for r in rows)}", sep=" | ", file=report)
print(report.getvalue().splitlines())
try:
    list(csv.reader(io.StringIO('a,"b\n'), strict=True))
except csv.Error as e:
    print("csv.Error:", e)
