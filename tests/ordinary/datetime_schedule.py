from datetime import date, datetime, timedelta, timezone

start = datetime(2024, 1, 31, 9, 30)
meetings = [start + timedelta(days=7 * i) for i in range(3)]
print([m.strftime("%a %d %b %H:%M") for m in meetings])
d = datetime.strptime("2024-03-10 14:05", "%Y-%m-%d %H:%M")
print(d.isoformat(), (d - start).days, d.weekday())
utc = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
print(utc.astimezone(timezone(timedelta(hours=2))).isoformat())
print(date(2024, 2, 28) + timedelta(days=1), date(2023, 2, 28) + timedelta(days=1))
print(sorted([date(2024, 5, 1), date(2023, 1, 1)]), date.fromisoformat("2024-12-25").toordinal())
