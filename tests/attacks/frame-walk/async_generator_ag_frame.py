# class: frame-walk
# source: pyfence guard review
# goal: async generator ag_frame globals
# expect: blocked

async def agen():
    yield 1
g = agen()
fr = g.ag_frame
fr.f_globals['__builtins__']['__import__']('os')
print("ESCAPED")
