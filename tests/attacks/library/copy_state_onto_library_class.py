# class: library
# source: pyfence red team, issue 9 item 5 (deepcopy applies a reduction's state with real setattr)
# goal: monkeypatch a library class through __reduce_ex__ state (library code then calls the script's function)
# policy: compute
# expect: blocked
import dataclasses, string, operator
def evil(*a, **k):
    return "patched"
class Box:
    def __reduce_ex__(self, proto):
        return (operator.itemgetter(0), ([string.Template],), (None, {"substitute": evil}))
@dataclasses.dataclass
class D:
    b: object
try:
    dataclasses.asdict(D(Box()))
except Exception as e:
    print(type(e).__name__)
print("ESCAPED" if string.Template.substitute is evil else "")
