from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_EVEN, ROUND_DOWN, localcontext, getcontext, InvalidOperation
from enum import Enum
from collections import defaultdict

class Kind(Enum):
    DEPOSIT = "dep"
    WITHDRAWAL = "wd"
    FEE = "fee"

@dataclass
class Txn:
    account: str
    kind: Kind
    amount: Decimal
    memo: str = ""

    def signed(self) -> Decimal:
        return self.amount if self.kind is Kind.DEPOSIT else -self.amount

@dataclass
class Ledger:
    txns: list[Txn] = field(default_factory=list)

    def post(self, account, kind, amount, memo=""):
        self.txns.append(Txn(account, Kind(kind), Decimal(amount), memo))
        return self

    def balances(self):
        out = defaultdict(Decimal)
        for t in self.txns:
            out[t.account] += t.signed()
        return dict(sorted(out.items()))

ledger = Ledger()
ledger.post("alice", "dep", "1000.00").post("bob", "dep", "250.50")
ledger.post("alice", "wd", "199.99", "rent").post("alice", "fee", "2.5")
ledger.post("bob", "wd", "0.51").post("carol", "dep", "33.333")
cents = Decimal("0.01")
for acct, bal in ledger.balances().items():
    print(f"{acct:<6}{bal.quantize(cents, rounding=ROUND_HALF_EVEN):>10}")
print(sum((t.amount for t in ledger.txns if t.kind is Kind.FEE), Decimal(0)))

rate = Decimal("0.0425")
with localcontext() as ctx:
    ctx.prec = 6
    ctx.rounding = ROUND_DOWN
    monthly = rate / 12
    print("monthly rate", monthly, ctx.prec)
print("default prec", getcontext().prec)
principal = Decimal("10000")
for year in range(1, 4):
    principal = (principal * (1 + rate)).quantize(cents)
    print(year, principal, principal.as_tuple().exponent)
d = Decimal("-12.3400")
t = d.as_tuple()
print(t.sign, t.digits, t.exponent, d.normalize(), d.copy_abs(), d.adjusted())
try:
    Decimal("abc")
except InvalidOperation as e:
    print("invalid:", type(e).__name__)
print(Decimal("2").sqrt().quantize(Decimal("1.0000")), Decimal(1) / Decimal(3) * 3 == 1)
print(f"{Decimal('1234567.891'):,.2f}", f"{Decimal('0.5'):.0%}", Decimal("7.5").to_integral_value())
