from datetime import date, datetime, time, timedelta, timezone
from dataclasses import dataclass

HOLIDAYS = {date(2024, 1, 1), date(2024, 1, 15), date(2024, 2, 19), date(2024, 5, 27)}

def month_end(d: date) -> date:
    nxt = d.replace(day=28) + timedelta(days=4)
    return nxt - timedelta(days=nxt.day)

def business_days(start: date, end: date):
    d = start
    while d <= end:
        if d.weekday() < 5 and d not in HOLIDAYS:
            yield d
        d += timedelta(days=1)

def pay_date(period_end: date) -> date:
    d = period_end
    while d.weekday() >= 5 or d in HOLIDAYS:
        d -= timedelta(days=1)
    return d

@dataclass
class Shift:
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)

for m in (1, 2, 5, 6):
    first = date(2024, m, 1)
    last = month_end(first)
    days = list(business_days(first, last))
    print(f"{first:%B}: {len(days)} business days, ends {last:%a %d}, paid {pay_date(last):%a %b %d}")
print(month_end(date(2023, 2, 10)), month_end(date(2024, 12, 31)), date(2024, 2, 29).isocalendar())
iso = date(2024, 12, 30).isocalendar()
print(iso.year, iso.week, iso.weekday, date.fromisocalendar(2024, 1, 1), date(2024, 3, 1).strftime("%j %U %W %a"))

shifts = [
    Shift(datetime(2024, 3, 4, 8, 30), datetime(2024, 3, 4, 17, 0)),
    Shift(datetime(2024, 3, 5, 22, 0), datetime(2024, 3, 6, 6, 15)),
    Shift(datetime.strptime("2024-03-07 09:00", "%Y-%m-%d %H:%M"), datetime.fromisoformat("2024-03-07T13:45:00")),
]
total = sum((s.end - s.start for s in shifts), timedelta())
print([s.hours for s in shifts], total, total.total_seconds() / 3600, divmod(total, timedelta(hours=8)))
rate = 22.5
overtime = [max(0.0, s.hours - 8) for s in shifts]
print(f"gross: {sum(min(s.hours, 8) * rate + o * rate * 1.5 for s, o in zip(shifts, overtime)):.2f}")

est = timezone(timedelta(hours=-5), "EST")
cet = timezone(timedelta(hours=1), "CET")
call = datetime.combine(date(2024, 3, 8), time(15, 30), tzinfo=est)
print(call.isoformat(), call.astimezone(cet).strftime("%H:%M %Z"), call.astimezone(timezone.utc).strftime("%H:%M %z"))
print(call.tzname(), call.utcoffset(), call.timestamp(), datetime.fromtimestamp(0, tz=timezone.utc))
parsed = datetime.fromisoformat("2024-03-08T20:30:00+00:00")
print(parsed == call, parsed - call, call.replace(tzinfo=None) < datetime(2024, 3, 9))
age = date(2024, 6, 1) - date(1990, 8, 15)
print(age.days, age.days // 365, timedelta(weeks=1, hours=-1), -timedelta(hours=1), timedelta(days=1) * 1.5)
print(sorted([date(2024, 5, 1), date(2023, 12, 31), date(2024, 1, 1)])[0], date.max - date(9999, 12, 1))
print(time(9, 5).isoformat(timespec="minutes"), time.fromisoformat("23:59:59.5").microsecond, date(2024, 1, 1).ctime())
print([d.day for d in business_days(date(2024, 5, 24), date(2024, 5, 31))], date.fromordinal(738000))
