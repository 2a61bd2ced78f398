import re
from collections import ChainMap, namedtuple
Token = namedtuple("Token", "kind text pos")
TOKEN_RE = re.compile(r"""
    (?P<NUM>\d+(?:\.\d+)?)
  | (?P<NAME>[A-Za-z_]\w*)
  | (?P<OP>[-+*/()=,])
  | (?P<WS>\s+)
  | (?P<BAD>.)
""", re.VERBOSE)

class ParseError(Exception):
    def __init__(self, msg, pos):
        super().__init__(f"{msg} at {pos}")
        self.pos = pos

def tokenize(src):
    for m in TOKEN_RE.finditer(src):
        kind = m.lastgroup
        if kind == "WS":
            continue
        if kind == "BAD":
            raise ParseError(f"unexpected {m.group()!r}", m.start())
        yield Token(kind, m.group(), m.start())

class Interp:
    def __init__(self):
        self.globals = {"pi": 3.14159}
        self.scope = ChainMap({}, self.globals)
    def run(self, line):
        self.toks = list(tokenize(line)) + [Token("EOF", "", len(line))]
        self.i = 0
        if len(self.toks) > 2 and self.toks[1].text == "=":
            name = self.toks[0].text
            self.i = 2
            self.scope[name] = self.expr()
            return f"{name} := {self.scope[name]:g}"
        return f"{self.expr():g}"
    def peek(self):
        return self.toks[self.i]
    def take(self):
        tok = self.toks[self.i]; self.i += 1
        return tok
    def expr(self):
        val = self.term()
        while self.peek().text in ("+", "-"):
            val = val + self.term() if self.take().text == "+" else val - self.term()
        return val
    def term(self):
        val = self.atom()
        while self.peek().text in ("*", "/"):
            val = val * self.atom() if self.take().text == "*" else val / self.atom()
        return val
    def atom(self):
        tok = self.take()
        if tok.kind == "NUM":
            return float(tok.text)
        if tok.kind == "NAME":
            if tok.text not in self.scope:
                raise ParseError(f"unknown name {tok.text}", tok.pos)
            return self.scope[tok.text]
        if tok.text == "(":
            val = self.expr()
            if self.take().text != ")":
                raise ParseError("expected )", tok.pos)
            return val
        if tok.text == "-":
            return -self.atom()
        raise ParseError(f"unexpected {tok.kind}", tok.pos)

it = Interp()
for line in ["x = 4", "y = x * (2 + 3)", "y / 4 - -1", "r = 2", "pi * r * r", "z + 1", "3 $ 4"]:
    try:
        print(f"{line:<18} -> {it.run(line)}")
    except ParseError as e:
        print(f"{line:<18} !! {e} (pos {e.pos})")
inner = it.scope.new_child({"x": 100})
print(inner["x"], inner.parents["x"], len(inner.maps), sorted(inner))
print(dict(it.scope.maps[0]), [t.kind for t in tokenize("a+1.5")])
