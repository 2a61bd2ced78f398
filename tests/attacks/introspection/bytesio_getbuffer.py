# class: introspection
# source: pyfence red team, issue 9 item 5 (a memoryview although the builtin is denied)
# goal: BytesIO.getbuffer hands out a memoryview
# policy: compute
# expect: blocked
import io
try:
    m = io.BytesIO(b"abc").getbuffer()
    print("ESCAPED" if type(m).__name__ == "memoryview" else "")
except Exception as e:
    print(type(e).__name__)
