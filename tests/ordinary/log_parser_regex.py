import re
from collections import Counter, defaultdict
from datetime import datetime

LOG = """\
2024-05-01 12:00:01 INFO  [web] GET /index.html 200 512ms user=ann
2024-05-01 12:00:03 WARN  [db] slow query took 1530ms table=orders
2024-05-01 12:01:10 ERROR [web] POST /api/cart 500 87ms user=bob
2024-05-01 12:02:44 INFO  [web] GET /api/items?page=2 200 34ms user=ann
2024-05-01 12:03:00 ERROR [auth] login failed for user=eve ip=10.0.0.7
malformed line here
2024-05-01 12:05:59 INFO  [web] GET /index.html 304 3ms user=cy
"""

LINE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(?P<level>[A-Z]+)\s+\[(?P<svc>\w+)\]\s+(?P<msg>.*)$",
    re.MULTILINE,
)
REQUEST = re.compile(r"(?P<method>GET|POST)\s+(?P<path>\S+)\s+(?P<status>\d{3})\s+(?P<ms>\d+)ms")
KV = re.compile(r"(\w+)=([\w.]+)")

entries = [m.groupdict() for m in LINE.finditer(LOG)]
print(len(entries), "entries;", LOG.count("\n") - len(entries), "unparsed")
print(LINE.groupindex["level"], sorted(LINE.groupindex))
levels = Counter(e["level"] for e in entries)
print(levels.most_common(), levels.total())

latency = defaultdict(list)
for e in entries:
    if m := REQUEST.search(e["msg"]):
        path = re.sub(r"\?.*$", "", m["path"])
        latency[path].append(int(m["ms"]))
        print(f"{m['method']:<5}{path:<14}{m['status']} span={m.span('path')}")
for path, ms in sorted(latency.items()):
    print(f"{path} avg={sum(ms) / len(ms):.1f}ms n={len(ms)}")

users = Counter(v for e in entries for k, v in KV.findall(e["msg"]) if k == "user")
print(dict(users), [dict(KV.findall(e["msg"])) for e in entries if e["level"] == "ERROR"])
first = datetime.strptime(entries[0]["ts"], "%Y-%m-%d %H:%M:%S")
last = datetime.strptime(entries[-1]["ts"], "%Y-%m-%d %H:%M:%S")
print("span:", last - first, (last - first).total_seconds())

def redact(m):
    key, val = m.group(1), m.group(2)
    return f"{key}={'*' * len(val)}" if key in ("user", "ip") else m.group(0)
print(KV.sub(redact, entries[4]["msg"]))
print(re.split(r"\s*[;,]\s*", "a, b;c ,d"), re.split(r"(\d+)", "ab12cd3"))
print(re.fullmatch(r"\d{3}", "200") is not None, re.fullmatch(r"\d{3}", "2000"))
print(re.escape("1.5+2?"), re.findall(r"(?i)get|post", "Get gEt POST put"))
m = re.search(r"(\d+)ms", LOG)
print(m.group(0), m.groups(), m.start(1), m.end(), m.re.pattern, m.pos, m.lastindex)
print(re.sub(r"(?P<word>\b\w{5,}\b)", lambda m: m["word"].upper(), "quick brown fox jumps"))
print(re.subn(r"\d", "#", "a1b22c333"), bool(re.match(r"INFO", "x INFO")))
