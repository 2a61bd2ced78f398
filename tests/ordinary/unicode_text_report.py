import unicodedata
import textwrap
from collections import Counter

names = ["José Martínez", "Zoë Ōtsuka", "Ångström Lab", "naïve café", "ﬁne Ｆｕｌｌｗｉｄｔｈ", "Straße"]

def strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))

def slugify(text):
    text = strip_accents(text).casefold()
    out, dash = [], False
    for ch in text:
        if ch.isalnum():
            out.append(ch); dash = False
        elif not dash:
            out.append("-"); dash = True
    return "".join(out).strip("-")

for n in names:
    print(f"{n!r:<24} -> {strip_accents(n)!r:<22} {slugify(n)}")
print(unicodedata.normalize("NFC", "e\u0301") == "é", len("e\u0301"), len(unicodedata.normalize("NFC", "e\u0301")))
for ch in "aZ5 ß€→😀\u00a0":
    print(f"U+{ord(ch):04X} {unicodedata.category(ch)} {unicodedata.east_asian_width(ch)} {unicodedata.name(ch, '?')}")
print(unicodedata.lookup("GREEK SMALL LETTER ALPHA"), unicodedata.decimal("٣"), unicodedata.numeric("½"), unicodedata.digit("5"))
print("Straße".upper(), "Straße".casefold() == "STRASSE".casefold(), "ǅ".lower(), "ǆ".title())
cats = Counter(unicodedata.category(c)[0] for c in "Hello, World! 123 ¿Qué?")
print(sorted(cats.items()))

text = ("Unicode provides a unique number for every character, no matter what the platform, "
        "no matter what the program, no matter what the language. " * 2).strip()
wrapper = textwrap.TextWrapper(width=38, initial_indent="* ", subsequent_indent="  ", max_lines=4, placeholder=" [...]")
print(wrapper.fill(text))
wrapper.width = 60
wrapper.max_lines = None
wrapper.break_long_words = False
print(len(wrapper.wrap(text)), textwrap.shorten(text, width=50, placeholder="…"))
print(textwrap.indent("line one\n\nline three", "> ", predicate=lambda l: True))
print(textwrap.indent("a\nb\n", "-- "), end="")
table = [("名前", "Tokyo"), ("city", "東京"), ("ok", "✓")]
def display_width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for a, b in table:
    print(a + " " * (8 - display_width(a)) + "|" + b)
print(ascii("naïve"), "naïve".encode("utf-8"), b"na\xc3\xafve".decode(), "ab".center(6, "·"))
print(unicodedata.is_normalized("NFC", "é"), unicodedata.mirrored("("), unicodedata.bidirectional("א"))
