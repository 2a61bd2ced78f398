# class: library
# source: pyfence red team, issue 9 item 1 (dataclasses builds source from field names)
# goal: a field name that turns the generated __repr__ into code with real builtins
# policy: compute
# expect: blocked
import dataclasses
@dataclasses.dataclass
class A:
    x: int
f = dataclasses.fields(A)[0]
f.name = "x=(__import__('o'+'s').name and print('ESC'+'APED'),0)[1]"
try:
    @dataclasses.dataclass(eq=False, init=False)
    class B(A):
        pass
except Exception as e:
    print(type(e).__name__)
