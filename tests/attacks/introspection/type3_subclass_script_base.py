# class: introspection
# source: pyfence guard review
# goal: 3-argument type() subclass of a script class claims a property named gi_frame to confuse the guard
# expect: blocked

class Base:
    pass
def gen():
    yield 1
g = gen()
T = type('T', (Base,), {'gi_frame': property(lambda s: g)})
t = T()
f = t.gi_frame.gi_frame
print("ESCAPED" if f else "")
