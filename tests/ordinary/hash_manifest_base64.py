import hashlib
import base64
import io
import json

FILES = {
    "README.md": "# Demo\nHello world\n",
    "src/app.py": "print('hi')\n" * 3,
    "data/empty.txt": "",
    "data/blob.bin": "\x00\x01\x02\xff" * 8,
}

def digest(data: bytes, algo="sha256") -> str:
    h = hashlib.new(algo)
    for i in range(0, len(data), 7):
        h.update(data[i:i + 7])
    return h.hexdigest()

manifest = {}
for path in sorted(FILES):
    data = FILES[path].encode("latin-1")
    manifest[path] = {"size": len(data), "sha256": digest(data), "md5": hashlib.md5(data).hexdigest()[:12]}
    print(f"{path:<16}{len(data):>4}  {manifest[path]['sha256'][:16]}  {manifest[path]['md5']}")

h = hashlib.sha256(b"abc")
print(h.name, h.digest_size, h.block_size, h.hexdigest() == hashlib.sha256(b"ab" + b"c").hexdigest())
c = h.copy(); c.update(b"def")
print(c.hexdigest()[:20], h.hexdigest()[:20])
b2 = hashlib.blake2b(b"message", digest_size=8, key=b"k", person=b"app")
print(b2.hexdigest(), hashlib.sha1(b"").hexdigest(), hashlib.sha3_256(b"x").hexdigest()[:16])
print(hashlib.file_digest(io.BytesIO(b"streamed bytes"), "sha256").hexdigest()[:24])
print(sorted(hashlib.algorithms_guaranteed)[:4])
print(hashlib.shake_128(b"abc").hexdigest(10))

blob = json.dumps(manifest, sort_keys=True).encode()
token = base64.urlsafe_b64encode(hashlib.sha256(blob).digest()).rstrip(b"=").decode()
print("manifest token:", token, len(token))
padded = token + "=" * (-len(token) % 4)
print(base64.urlsafe_b64decode(padded) == hashlib.sha256(blob).digest())
raw = bytes(range(250, 256)) + b"hello"
for enc, dec in [(base64.b64encode, base64.b64decode), (base64.b32encode, base64.b32decode),
                 (base64.b16encode, base64.b16decode), (base64.a85encode, base64.a85decode),
                 (base64.b85encode, base64.b85decode)]:
    e = enc(raw)
    print(f"{enc.__name__:<13} {e.decode():<30} {dec(e) == raw}")
print(base64.standard_b64encode(b"\xfb\xff").decode(), base64.urlsafe_b64encode(b"\xfb\xff").decode())
try:
    base64.b64decode("abc$", validate=True)
except ValueError as e:
    print("bad base64:", type(e).__name__)
print(raw.hex(":", 2), bytes.fromhex("de ad be ef"), int.from_bytes(b"\x01\x00", "little"), (513).to_bytes(2, "big"))
buf = io.BytesIO()
buf.write(b"header\n")
buf.write(base64.b64encode(b"payload"))
buf.seek(0)
print(buf.readline(), buf.read(), buf.tell(), len(buf.getvalue()))
