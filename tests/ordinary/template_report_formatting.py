import string
from datetime import date
from dataclasses import dataclass

@dataclass
class Employee:
    name: str
    dept: str
    salary: float
    started: date

staff = [
    Employee("Ann Lee", "eng", 98000, date(2019, 4, 1)),
    Employee("Bo Chen", "ops", 61500.5, date(2021, 11, 15)),
    Employee("Cy Diaz", "eng", 120000, date(2016, 1, 4)),
]

row = "{e.name:<10}|{e.dept:^6}|{e.salary:>12,.2f}|{e.started:%d %b %Y}"
for e in staff:
    print(row.format(e=e))
print("{0[0].name} and {0[2].name} are in {1[eng]}".format(staff, {"eng": "Engineering"}))
print("{:*^30}".format(" totals "), "{:>10.1%}".format(0.4567), "{:#x} {:#o} {:08b}".format(255, 8, 5))
width, prec = 12, 3
print(f"[{3.14159265:{width}.{prec}f}]", "[{:{w}.{p}e}]".format(12345.678, w=width, p=prec))

class SafeDict(dict):
    def __missing__(self, key):
        return "{" + key + "}"

tmpl = "Dear {name}, your order {order} ships {when}."
print(tmpl.format_map(SafeDict(name="Ann", order=42)))
print(tmpl.format_map({"name": "Bo", "order": 7, "when": "today"}))

class Letter(string.Template):
    delimiter = "%"
    idpattern = r"[a-z][a-z0-9_]*"

t = Letter("Hi %who, you owe %amount (ref %{ref}x). 100%% sure.")
print(t.substitute(who="Cy", amount="$5", ref="A1"))
print(t.safe_substitute(who="Dee"), t.get_identifiers(), t.is_valid())
try:
    t.substitute(who="x")
except KeyError as e:
    print("missing key:", e)

class UpperFormatter(string.Formatter):
    def format_field(self, value, format_spec):
        if format_spec.endswith("u"):
            return format(value, format_spec[:-1]).upper()
        return super().format_field(value, format_spec)

    def get_value(self, key, args, kwargs):
        if isinstance(key, str) and key not in kwargs:
            return f"<{key}?>"
        return super().get_value(key, args, kwargs)

uf = UpperFormatter()
print(uf.format("{0:u} {x:>6u} {missing} {1:.2f}", "loud", 2.5, x="abc"))
print([(lit, field) for lit, field, spec, conv in uf.parse("a{b}c{d!r:>3}")])
print("{!r:>8}|{!s:<6}|{!a}".format("hi", 3.5, "café"))
print("%-8s|%5.1f|%03d|%x|%r" % ("left", 2.345, 7, 255, "q"), "%(a)s-%(b)d" % {"a": "k", "b": 9})

def summary(dept):
    people = [e for e in staff if e.dept == dept]
    count = len(people)
    avg = sum(e.salary for e in people) / count
    return "{dept}: {count} people, avg {avg:,.0f}".format(**locals())
print(summary("eng"), "|", summary("ops"))
print(format(date(2024, 2, 29), "%A %j"), format(1234.5, "_>12,.1f"), format(-42, "=+8d"))
