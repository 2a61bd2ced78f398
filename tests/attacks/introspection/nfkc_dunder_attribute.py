# class: introspection
# source: pyfence guard review
# goal: NFKC-normalised attribute spelling (fullwidth)
# expect: blocked

def gen():
    yield 1
g = gen()
f = g.ｇｉ_ｆｒａｍｅ
print("ESCAPED" if f else "")
