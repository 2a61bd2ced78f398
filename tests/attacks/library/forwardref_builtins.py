# class: library
# source: pyfence red team, issue 9 item 2 (ForwardRef looks names up in the real builtins)
# goal: a bare identifier evaluates to the real __import__
# policy: compute
# expect: blocked
import typing
try:
    fr = typing.get_args(typing.List["__imp" + "ort__"])[0]
    imp = fr.evaluate()
    print("ESCAPED" if imp("o" + "s").getpid() else "")
except Exception as e:
    print(type(e).__name__)
