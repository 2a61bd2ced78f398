import re, textwrap, string
from collections import OrderedDict

text = """The quick brown fox jumps over the lazy dog. The dog sleeps.
Foxes are quick; dogs are lazy."""
words = re.findall(r"[a-z]+", text.lower())
freq = OrderedDict()
for w in words:
    freq[w] = freq.get(w, 0) + 1
print(list(freq.items())[:5])
print(textwrap.fill(text, width=30))
print(textwrap.dedent("    a\n      b\n    c"))
t = string.Template("$who likes ${what}!")
print(t.substitute(who="Ann", what="tea"), t.safe_substitute(who="Bob"))
print(re.sub(r"(\w+)@(\w+)\.com", r"\2 at \1", "mail ann@example.com now"))
m = re.match(r"(?P<key>\w+)=(?P<val>\d+)", "size=42")
print(m.group("key"), int(m["val"]) + 1, m.groupdict())
print("{:>8}|{:<6}|{:^7}|{:.3f}".format("right", "left", "mid", 3.14159))
print("{name} is {age}".format(name="Ann", age=30), "{0[1]} {1[k]}".format([1, 2], {"k": "v"}))
print("%s has %d items" % ("cart", 3), f"{'x'!r:>5}")
print(string.capwords("hello wide world"), string.ascii_lowercase[:5])
