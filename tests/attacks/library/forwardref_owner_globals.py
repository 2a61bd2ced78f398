# class: library
# source: pyfence red team, issue 9 item 2 (ForwardRef.evaluate picks a namespace from its owner)
# goal: an identifier is looked up in a library function's module globals
# policy: compute
# expect: blocked
import typing, random
try:
    fr = typing.get_args(typing.List["_os"])[0]
    m = fr.evaluate(owner=random.seed)
    print("ESCAPED" if hasattr(m, "getpid") else "")
except Exception as e:
    print(type(e).__name__, e)
