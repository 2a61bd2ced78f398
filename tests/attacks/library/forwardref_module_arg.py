# class: library
# source: pyfence red team, issue 9 item 2 (ForwardRef picks its module by name)
# goal: a ForwardRef made with module='random' looks a private name up in random's globals
# policy: compute
# expect: blocked
import typing
try:
    fr = typing.get_args(typing.List["x"])[0]
    m = type(fr)("_os", module="random").evaluate()
    print("ESCAPED" if hasattr(m, "getpid") else "")
except Exception as e:
    print(type(e).__name__)
