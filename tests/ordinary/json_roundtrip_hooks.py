import json
from dataclasses import dataclass, asdict, is_dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from collections import OrderedDict

class Status(Enum):
    OPEN = "open"
    CLOSED = "closed"

@dataclass
class Invoice:
    number: int
    issued: date
    total: Decimal
    status: Status = Status.OPEN
    tags: set = field(default_factory=set)

REGISTRY = {"Invoice": Invoice}

class RichEncoder(json.JSONEncoder):
    def default(self, o):
        if is_dataclass(o):
            return {"__type__": type(o).__name__, **{k: v for k, v in vars(o).items()}}
        if isinstance(o, (date, datetime)):
            return {"__date__": o.isoformat()}
        if isinstance(o, Decimal):
            return {"__decimal__": str(o)}
        if isinstance(o, Enum):
            return o.value
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)

def decode_hook(d):
    if "__date__" in d:
        return date.fromisoformat(d["__date__"])
    if "__decimal__" in d:
        return Decimal(d["__decimal__"])
    if "__type__" in d:
        cls = REGISTRY[d.pop("__type__")]
        obj = cls(**d)
        obj.status = Status(obj.status)
        obj.tags = set(obj.tags)
        return obj
    return d

inv = Invoice(17, date(2024, 3, 5), Decimal("99.95"), tags={"urgent", "eu"})
text = json.dumps(inv, cls=RichEncoder, sort_keys=True)
print(text)
back = json.loads(text, object_hook=decode_hook)
print(back == inv, back.issued.year, repr(back.total), back.status, sorted(back.tags))
print(json.dumps([inv, Status.CLOSED], cls=RichEncoder, indent=1)[:60].replace("\n", "/"))
pairs = json.loads('{"z": 1, "a": 2, "m": 3}', object_pairs_hook=OrderedDict)
print(pairs, list(pairs)[0])
print(json.loads('[1.10, 2.25, 3]', parse_float=Decimal, parse_int=lambda s: int(s) * 100))
print(json.dumps({"name": "Zoë", "k": [1, 2]}, ensure_ascii=False, separators=(",", ":")))
print(json.dumps({"name": "Zoë"}), json.dumps(float("1e400") if False else 1.5))
for bad in ('{"a": 1,}', '[1, 2', '{"a" 1}'):
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print(f"bad json: {e.msg} line={e.lineno} col={e.colno} pos={e.pos}")

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

print(json.dumps({"pts": [Point(1, 2), Point(3, 4)]}, default=lambda o: o.__dict__))
print(json.dumps({3: "int key", True: "bool key", None: "none"}, sort_keys=False))
dec = json.JSONDecoder()
obj, end = dec.raw_decode('{"a": [1, 2]} trailing text')
print(obj, end)
