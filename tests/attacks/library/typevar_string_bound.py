# class: library
# source: pyfence red team, issue 9 item 2 (a TypeVar's string bound is a ForwardRef)
# goal: evaluate the bound: eval with real builtins
# policy: compute
# expect: blocked
import typing
try:
    T = typing.TypeVar("T", bound="__imp" + "ort__('o'+'s')")
    m = T.__bound__.evaluate()
    print("ESCAPED" if hasattr(m, "getpid") else "")
except Exception as e:
    print(type(e).__name__)
