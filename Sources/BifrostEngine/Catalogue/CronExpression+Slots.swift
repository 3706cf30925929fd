public import Foundation

extension CronExpression {
    /// The first slot strictly after `date`, or nil when the expression never matches (such as 30 February).
    public func slot(after date: Date) -> Date? {
        let (firstDay, firstMinute) = Self.dayAndMinute(Self.minuteFloor(date) + 1)
        for day in firstDay..<(firstDay + Self.searchedDays) where matches(day: day) {
            for minuteOfDay in minutesOfDay where day > firstDay || minuteOfDay >= firstMinute {
                return Self.date(day: day, minuteOfDay: minuteOfDay)
            }
        }
        return nil
    }

    /// The latest slot at or before `date`, or nil when the expression never matches.
    public func slot(atOrBefore date: Date) -> Date? {
        let (lastDay, lastMinute) = Self.dayAndMinute(Self.minuteFloor(date))
        for day in stride(from: lastDay, to: lastDay - Self.searchedDays, by: -1) where matches(day: day) {
            for minuteOfDay in minutesOfDay.reversed() where day < lastDay || minuteOfDay <= lastMinute {
                return Self.date(day: day, minuteOfDay: minuteOfDay)
            }
        }
        return nil
    }

    /// Whether the expression fires at least once (a day-of-month that no matching month has never does).
    public var everFires: Bool { slot(after: Date(timeIntervalSince1970: 0)) != nil }

    /// Minutes of the day the expression fires on, ascending.
    private var minutesOfDay: [Int] {
        hours.sorted().flatMap { hour in minutes.sorted().map { hour * 60 + $0 } }
    }

    /// Whether the expression fires on `day` (days since 1970-01-01, UTC).
    private func matches(day: Int) -> Bool {
        let (_, month, dayOfMonth) = Self.civilDate(day: day)
        guard months.contains(month) else { return false }
        let weekday = ((day % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday.
        let onDayOfMonth = daysOfMonth.contains(dayOfMonth)
        let onDayOfWeek = daysOfWeek.contains(weekday)
        return eitherDay ? onDayOfMonth || onDayOfWeek : onDayOfMonth && onDayOfWeek
    }

    private static let minutesPerDay = 1_440
    /// Ten years: every expression that matches at all (29 February included) matches within eight.
    private static let searchedDays = 10 * 366

    private static func minuteFloor(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// The day (since 1970-01-01) and minute of that day of a minute since 1970. Floored, not truncated: the
    /// minute before 1970 is the last of day -1, not minute -1 of day 0.
    private static func dayAndMinute(_ minute: Int) -> (day: Int, minuteOfDay: Int) {
        let (day, minuteOfDay) = minute.quotientAndRemainder(dividingBy: minutesPerDay)
        return minuteOfDay < 0 ? (day - 1, minuteOfDay + minutesPerDay) : (day, minuteOfDay)
    }

    private static func date(day: Int, minuteOfDay: Int) -> Date {
        Date(timeIntervalSince1970: Double(day * minutesPerDay + minuteOfDay) * 60)
    }

    /// Year, month (1…12) and day (1…31) of `day` days since 1970-01-01 in the proleptic Gregorian calendar.
    private static func civilDate(day: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = day + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth)
    }
}
