# class: library
# source: pyfence red team of the membrane (issue 15): a function the script only ever calls gets no prologue
# goal: reach such a function as a value through a computed ForwardRef, hand it to library code that calls it with a value the guard never lets the script hold (dataclasses.replace reads fields by name)
# policy: compute
# expect: blocked
import typing


def keep(*args, **kwargs):
    return args


name = "ke" + "ep"
try:
    f = typing.ForwardRef(name).evaluate()
    print("ESCAPED" if f(1) == (1,) and f is not None else "safe")
except Exception as e:
    print(type(e).__name__)
keep(0)
