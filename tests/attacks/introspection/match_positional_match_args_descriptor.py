# class: introspection
# source: pyfence guard review
# goal: __match_args__ as a descriptor that changes between the guard's check and the match
# expect: blocked

class Flip:
    n = 0
    def __get__(self, obj, cls):
        Flip.n += 1
        return ('x',) if Flip.n == 1 else ('gi_frame',)
class C:
    __match_args__ = Flip()
def gen():
    yield 1
match gen():
    case C(f):
        print("ESCAPED")
