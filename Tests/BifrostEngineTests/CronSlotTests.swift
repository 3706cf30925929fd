import BifrostEngine
import Foundation
import Testing

/// A cron expression's slots: the next after a moment and the latest at or before it, in UTC.
@Suite struct CronSlotTests {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func knownSlots() throws {
        let daily = try CronExpression(parsing: "0 9 * * *")
        #expect(daily.slot(after: date("2026-11-26T10:00:00Z")) == date("2026-11-27T09:00:00Z"))
        #expect(daily.slot(after: date("2026-11-26T08:59:59Z")) == date("2026-11-26T09:00:00Z"))
        #expect(daily.slot(after: date("2026-11-26T09:00:00Z")) == date("2026-11-27T09:00:00Z"))
        #expect(daily.slot(atOrBefore: date("2026-11-26T09:00:00Z")) == date("2026-11-26T09:00:00Z"))
        #expect(daily.slot(atOrBefore: date("2026-11-26T08:59:59Z")) == date("2026-11-25T09:00:00Z"))
        // Thursday 26 November 2026: the next Monday noon, and the previous one.
        let mondays = try CronExpression(parsing: "0 12 * * 1")
        #expect(mondays.slot(after: date("2026-11-26T00:00:00Z")) == date("2026-11-30T12:00:00Z"))
        #expect(mondays.slot(atOrBefore: date("2026-11-26T00:00:00Z")) == date("2026-11-23T12:00:00Z"))
        // Day of month and day of week both restricted: either matches (the 13th, or a Friday).
        let either = try CronExpression(parsing: "0 0 13 * 5")
        #expect(either.slot(after: date("2026-11-26T00:00:00Z")) == date("2026-11-27T00:00:00Z"))
        #expect(either.slot(after: date("2026-12-11T00:00:00Z")) == date("2026-12-13T00:00:00Z"))
        // 29 February: the next leap year, across the 2100 non-leap year too.
        let leap = try CronExpression(parsing: "30 6 29 2 *")
        #expect(leap.slot(after: date("2026-03-01T00:00:00Z")) == date("2028-02-29T06:30:00Z"))
        #expect(leap.slot(after: date("2096-03-01T00:00:00Z")) == date("2104-02-29T06:30:00Z"))
        #expect(leap.slot(atOrBefore: date("2027-01-01T00:00:00Z")) == date("2024-02-29T06:30:00Z"))
        // Never: no month has a 30 February.
        let never = try CronExpression(parsing: "0 0 30 2 *")
        #expect(never.slot(after: date("2026-01-01T00:00:00Z")) == nil)
        #expect(!never.everFires)
        #expect(daily.everFires)
    }

    /// Against a minute-by-minute walk with Foundation's calendar, from many moments.
    @Test func slotsAgreeWithAMinuteByMinuteWalk() throws {
        let expressions = ["*/7 3-5 * * 1-5", "15,45 */6 * * *", "0 0 1,15 * *", "5 4 * * 0", "59 23 28-31 * *"]
        var generator = SystemRandomNumberGenerator()
        for text in expressions {
            let expression = try CronExpression(parsing: text)
            for _ in 0..<4 {
                let start = Date(
                    timeIntervalSince1970: Double(Int.random(in: 1_700_000_000...1_900_000_000, using: &generator)))
                let expected = walk(from: start, expression: expression, forward: true)
                #expect(expression.slot(after: start) == expected, "\(text) after \(start)")
                let expectedBefore = walk(from: start, expression: expression, forward: false)
                #expect(expression.slot(atOrBefore: start) == expectedBefore, "\(text) at or before \(start)")
            }
        }
    }

    /// Before 1970 too: a minute there once counted from the start of 1970-01-01 instead of the day it is on, so
    /// the next slot skipped a day and the latest slot at or before could come after the moment.
    @Test func slotsBefore1970AreOnTheRightDay() throws {
        let evening = try CronExpression(parsing: "0 23 * * *")
        #expect(evening.slot(after: date("1969-12-31T10:00:00Z")) == date("1969-12-31T23:00:00Z"))
        let late = try CronExpression(parsing: "0 11 * * *")
        #expect(late.slot(atOrBefore: date("1969-12-31T10:00:00Z")) == date("1969-12-30T11:00:00Z"))
        let expression = try CronExpression(parsing: "*/7 3-5 * * 1-5")
        for start in [-1, -61, -86_340, -86_400, -1_000_000, -2_000_000_000].map({
            Date(timeIntervalSince1970: Double($0))
        }) {
            #expect(
                expression.slot(after: start) == walk(from: start, expression: expression, forward: true),
                "after \(start)")
            #expect(
                expression.slot(atOrBefore: start) == walk(from: start, expression: expression, forward: false),
                "at or before \(start)"
            )
        }
    }

    private func walk(from start: Date, expression: CronExpression, forward: Bool) -> Date? {
        let minute = (start.timeIntervalSince1970 / 60).rounded(.down) * 60
        var moment = Date(timeIntervalSince1970: forward ? minute + 60 : minute)
        for _ in 0..<(40 * 1_440) {
            let parts = Self.utc.dateComponents([.minute, .hour, .day, .month, .weekday], from: moment)
            let onDay = expression.daysOfMonth.contains(parts.day!)
            let onWeekday = expression.daysOfWeek.contains(parts.weekday! - 1)
            let dayMatches = expression.eitherDay ? onDay || onWeekday : onDay && onWeekday
            if expression.minutes.contains(parts.minute!), expression.hours.contains(parts.hour!),
                expression.months.contains(parts.month!), dayMatches
            {
                return moment
            }
            moment = moment.addingTimeInterval(forward ? 60 : -60)
        }
        return nil
    }
}
