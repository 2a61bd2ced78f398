# class: introspection
# source: pyfence guard review
# goal: str subclass lying about its content to the guard
# expect: blocked

class S(str):
    def __eq__(self, o):
        return False
    def __hash__(self):
        return 1
    def startswith(self, *a):
        return False
    def __getitem__(self, i):
        return 'x'
n = S('__globals__')
g = getattr(len, n) if False else getattr(print.__call__, S('__self__'))
print("ESCAPED" if g is not None else "")
