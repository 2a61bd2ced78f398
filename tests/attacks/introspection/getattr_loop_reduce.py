# class: introspection
# source: pyfence guard review
# goal: functools.reduce(getattr) re-implemented as a loop
# expect: blocked

o = ()
for n in ['__class__', '__base__', '__subclasses__']:
    o = getattr(o, n)
print("ESCAPED" if len(o()) > 10 else "")
