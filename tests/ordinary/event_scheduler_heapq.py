import heapq
import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count, islice

@dataclass(order=True)
class Job:
    due: datetime
    priority: int
    seq: int
    name: str = field(compare=False)
    every: timedelta | None = field(default=None, compare=False)

class Scheduler:
    def __init__(self, start):
        self.now = start
        self.queue: list[Job] = []
        self._seq = count()
        self.log = []

    def schedule(self, name, delay, priority=5, every=None):
        job = Job(self.now + delay, priority, next(self._seq), name, every)
        heapq.heappush(self.queue, job)
        return job

    def run_until(self, end):
        while self.queue and self.queue[0].due <= end:
            job = heapq.heappop(self.queue)
            self.now = job.due
            self.log.append(f"{job.due:%H:%M} p{job.priority} {job.name}")
            if job.every:
                self.schedule(job.name, job.every, job.priority, job.every)
        self.now = end

start = datetime(2024, 7, 1, 9, 0)
s = Scheduler(start)
s.schedule("backup", timedelta(hours=2), priority=1)
s.schedule("heartbeat", timedelta(minutes=30), priority=9, every=timedelta(minutes=45))
s.schedule("report", timedelta(hours=2), priority=3)
s.schedule("email", timedelta(minutes=10))
s.run_until(start + timedelta(hours=3))
print("\n".join(s.log))
print("pending:", [(j.name, f"{j.due:%H:%M}") for j in sorted(s.queue)])

def deadlines():
    d = datetime(2024, 1, 1)
    while True:
        yield d
        d += timedelta(days=10)

a = list(islice(deadlines(), 4))
b = [datetime(2024, 1, 5), datetime(2024, 1, 15), datetime(2024, 2, 1)]
print([f"{d:%m-%d}" for d in heapq.merge(a, b)])
print([f"{d:%b %d}" for d in heapq.merge(b, a, reverse=False, key=lambda d: d.day)][:5])
print(heapq.nsmallest(2, s.log, key=len), heapq.nlargest(1, [3, 9, 2]))

times = []
for t in ["09:45", "08:15", "12:00", "10:30"]:
    bisect.insort(times, t)
print(times, bisect.bisect_left(times, "10:00"), bisect.bisect_right(times, "12:00"))
jobs = sorted([("b", 3), ("a", 1), ("c", 7)], key=lambda j: j[1])
bisect.insort(jobs, ("d", 5), key=lambda j: j[1])
print(jobs, bisect.bisect(jobs, 4, key=lambda j: j[1]))
h = [5, 1, 8, 3]
heapq.heapify(h)
print(heapq.heappushpop(h, 2), heapq.heapreplace(h, 10), sorted(h))
