# class: builtins
# source: pyfence guard review
# goal: type.__new__ reached through super() builds a metaclass with __instancecheck__ for a class pattern
# expect: blocked

class M(type):
    def make(cls):
        return super().__new__(M, 'Evil', (type,), {'__instancecheck__': lambda c, o: True})
Evil = M.make(M)
C = Evil('C', (), {'__match_args__': ('gi_frame',)})
def gen():
    yield 1
match gen():
    case C(f):
        print("ESCAPED")
