import io

buf = io.BytesIO()
buf.write(b"hello world\n")
end = buf.seek(0, io.SEEK_END)
buf.seek(0, io.SEEK_SET)
print(end, buf.read(5), buf.seek(-6, io.SEEK_END), buf.read())

raw = io.BytesIO("naïve café\nsecond line\n".encode("utf-8"))
text = io.TextIOWrapper(raw, encoding="utf-8")
for n, line in enumerate(text, 1):
    print(n, line.rstrip("\n"), len(line))

out = io.BytesIO()
w = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
w.write("a,b\n1,2\n")
w.flush()
print(out.getvalue())

s = io.StringIO("read only")
try:
    s.fileno()
except io.UnsupportedOperation as e:
    print("UnsupportedOperation:", type(e).__name__, isinstance(e, OSError))
r = io.BytesIO(b"abc")
print(r.seekable(), r.readable(), io.SEEK_CUR)
