from collections import deque, ChainMap, namedtuple, Counter, defaultdict
import heapq, bisect, itertools

Card = namedtuple("Card", "rank suit")
deck = [Card(r, s) for s in "SH" for r in "AKQ"]
print(deck[:2], deck[0]._asdict(), Card._make(["J", "D"]))
d = deque(range(5), maxlen=5)
d.rotate(2); d.append(9)
print(d, d.popleft())
defaults = {"color": "red", "size": "M"}
user = {"size": "L"}
cm = ChainMap(user, defaults)
print(cm["color"], cm["size"], dict(cm))
tasks = [(3, "low"), (1, "urgent"), (2, "mid")]
heapq.heapify(tasks)
print([heapq.heappop(tasks)[1] for _ in range(3)], heapq.nlargest(2, [5, 1, 8, 3]))
grades = [60, 70, 80, 90]
print([("FDCBA")[bisect.bisect(grades, s)] for s in (55, 75, 95)])
print(list(itertools.accumulate([1, 2, 3, 4])), list(itertools.combinations("abc", 2)))
groups = {k: [x for x in g] for k, g in itertools.groupby(sorted("aabbbc"))}
print(groups, list(itertools.islice(itertools.cycle("xy"), 5)))
tree = lambda: defaultdict(tree)
t = tree(); t["a"]["b"]["c"] = 1
print(json_like := {k: dict(v) for k, v in t.items()}.keys())
print(Counter("mississippi").most_common(3), (Counter(a=3) - Counter(a=1)))
