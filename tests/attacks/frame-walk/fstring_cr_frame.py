# class: frame-walk
# source: pyfence guard review
# goal: f-string expression reads cr_frame
# expect: blocked

async def c():
    pass
co = c()
s = f"{co.cr_frame!r}"
print("ESCAPED" if "frame" in s else "")
