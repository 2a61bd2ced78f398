# class: frame-walk
# source: pyfence guard review
# goal: coroutine object's cr_frame.f_back into library frames
# expect: blocked

async def c():
    pass
co = c()
f = co.cr_frame
while f is not None:
    if '__import__' in f.f_builtins and f.f_builtins is not None:
        f.f_builtins['__import__']('os').listdir('/')
        print("ESCAPED")
        break
    f = f.f_back
