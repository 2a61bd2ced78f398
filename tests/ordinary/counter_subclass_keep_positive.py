from collections import Counter


class Inventory(Counter):
    def remove(self, **items):
        for k, v in items.items():
            self[k] -= v
        return self._keep_positive()

    def total_items(self):
        return sum(self.values())


stock = Inventory(apples=5, pears=2, plums=1)
stock.remove(pears=2, plums=3)
print(sorted(stock.items()), stock.total_items())
print(stock + Inventory(kiwis=2), -Inventory(a=-1, b=2))
