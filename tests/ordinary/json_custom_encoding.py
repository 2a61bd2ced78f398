import json
from dataclasses import dataclass, asdict
from datetime import date

class Account:
    def __init__(self, owner, balance):
        self.owner = owner
        self.balance = balance

class Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)

@dataclass
class Event:
    name: str
    when: date

print(json.dumps([Account("ann", 10), Account("bob", 0)], default=lambda o: o.__dict__))
print(json.dumps(asdict(Event("launch", date(2024, 5, 1))), cls=Encoder, sort_keys=True))
data = json.loads('{"items": [1, 2, {"x": null}], "ok": true}', object_hook=lambda d: {k.upper(): v for k, v in d.items()})
print(data)
try:
    json.dumps(object())
except TypeError as e:
    print("TypeError:", str(e)[:40])
print(json.dumps({"b": 1, "a": [1.5, "x"]}, indent=2, sort_keys=True))
