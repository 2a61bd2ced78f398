# class: library
# source: pyfence red team, issue 9 item 1 (dataclasses builds source from field names)
# goal: a rewritten Field.name carries script text into the generated __init__, run with real builtins
# policy: compute
# expect: blocked
import dataclasses
@dataclasses.dataclass
class A:
    x: int
f = dataclasses.fields(A)[0]
f.name = "x=(print(__import__('o'+'s').name and 'ESC'+'APED'),0)[1]"
try:
    @dataclasses.dataclass(repr=False, eq=False)
    class B(A):
        pass
except Exception as e:
    print(type(e).__name__, e)
