# class: library
# source: pyfence red team, issue 9 item 2 (ForwardRef instances reach the script)
# goal: ForwardRef.evaluate runs eval with real builtins
# policy: compute
# expect: blocked
import typing
try:
    fr = typing.get_args(typing.List["__imp" + "ort__('o' + 's')"])[0]
    m = fr.evaluate()
    print("ESCAPED" if hasattr(m, "getpid") else "")
except Exception as e:
    print(type(e).__name__, e)
