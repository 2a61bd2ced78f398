# class: frame-walk
# source: pyfence guard review
# goal: metaclass __instancecheck__ + __match_args__ makes a class pattern fetch gi_frame from a generator
# expect: blocked

M = type('M', (type,), {'__instancecheck__': lambda c, o: True})
C = M('C', (), {'__match_args__': ('gi_frame',)})
def gen():
    yield 1
g = gen()
match g:
    case C(f):
        print("ESCAPED" if f.f_globals is not None else "")
