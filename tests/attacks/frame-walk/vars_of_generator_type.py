# class: frame-walk
# source: pyfence guard review
# goal: vars(type(g))['gi_frame'] descriptor
# expect: blocked

def gen():
    yield 1
g = gen()
d = vars(type(g))['gi_frame']
print("ESCAPED" if d.__get__(g) else "")
