# class: frame-walk
# source: pyfence guard review
# goal: gi_frame spelled at runtime, then f_back
# expect: blocked

def gen():
    yield 1
g = gen()
f = getattr(g, 'gi_' + 'frame')
b = getattr(f, 'f_' + 'builtins')
b['__import__']('os')
print("ESCAPED")
