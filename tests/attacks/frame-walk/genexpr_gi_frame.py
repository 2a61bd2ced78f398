# class: frame-walk
# source: pyfence guard review
# goal: generator expression frame
# expect: blocked

g = (x for x in [1])
print("ESCAPED" if g.gi_frame.f_globals is not None else "")
