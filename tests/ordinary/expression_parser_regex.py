import re

TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<op>[-+*/()^]))")


def tokenize(text):
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SyntaxError(f"bad character at {pos}: {text[pos]!r}")
        pos = m.end()
        if m.group("num"):
            yield ("num", float(m.group("num")))
        else:
            yield ("op", m.group("op"))


class Parser:
    def __init__(self, text):
        self.tokens = list(tokenize(text))
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expr(self):
        value = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self):
        value = self.power()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            value = value * self.power() if op == "*" else value / self.power()
        return value

    def power(self):
        base = self.atom()
        if self.peek()[1] == "^":
            self.take()
            return base ** self.power()
        return base

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return value
        if value == "-":
            return -self.atom()
        if value == "(":
            inner = self.expr()
            self.take()
            return inner
        raise SyntaxError(f"unexpected {value!r}")


for src in ["1 + 2 * 3", "(1 + 2) * 3", "2 ^ 3 ^ 2", "-4 + 10 / 4", "2 * (3 + 4) - 5"]:
    print(f"{src} = {Parser(src).expr():g}")
try:
    Parser("2 $ 3").expr()
except SyntaxError as e:
    print("SyntaxError:", e)
