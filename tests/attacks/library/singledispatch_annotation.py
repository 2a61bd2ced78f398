# class: library
# source: pyfence red team, issue 9 item 2 (singledispatch.register evaluates string annotations)
# goal: get_type_hints evals a string annotation in the script's globals, outside the guard's check
# policy: compute
# expect: blocked
import functools
@functools.singledispatch
def f(x):
    return 0
try:
    @f.register
    def _(x: "(print('ESC'+'APED'), __imp" + "ort__('o'+'s'))[1].__class__"):
        return 1
except Exception as e:
    print(type(e).__name__, e)
