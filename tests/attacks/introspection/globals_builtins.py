# class: introspection
# source: pyfence guard review
# goal: globals()/vars()/locals() expose __builtins__
# expect: blocked

b = globals().get('__builtins__') or vars().get('__builtins__') or locals().get('__builtins__')
if b is not None:
    (b['__import__'] if isinstance(b, dict) else b.__import__)('os')
    print("ESCAPED")
