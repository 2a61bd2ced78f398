# class: frame-walk
# source: pyfence guard review
# goal: type(g).gi_frame descriptor .__get__(g) bypassing name checks on the instance
# expect: blocked

def gen():
    yield 1
g = gen()
d = type(g).gi_frame
f = d.__get__(g)
print("ESCAPED" if f is not None else "")
