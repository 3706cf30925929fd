/// A five-field cron expression (minute hour day-of-month month day-of-week, UTC): numbers, `*`, ranges `a-b`,
/// lists `a,b`, steps `*/n` and `a-b/n`. Day-of-week 0 and 7 are Sunday.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    public let daysOfWeek: Set<Int>
    /// Whether day-of-month and day-of-week were both restricted (then either may match, as in cron).
    public let eitherDay: Bool
    public let description: String

    /// - Throws: `CronExpression.Error` naming the field that is wrong.
    public init(parsing text: String) throws {
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else { throw Error(message: "expected 5 fields, found \(fields.count)") }
        minutes = try Self.field(fields[0], name: "minute", 0...59)
        hours = try Self.field(fields[1], name: "hour", 0...23)
        daysOfMonth = try Self.field(fields[2], name: "day of month", 1...31)
        months = try Self.field(fields[3], name: "month", 1...12)
        daysOfWeek = Set(try Self.field(fields[4], name: "day of week", 0...7).map { $0 % 7 })
        eitherDay = fields[2] != "*" && fields[4] != "*"
        description = fields.joined(separator: " ")
    }

    /// A field that cannot be read.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private static func field(_ text: String, name: String, _ range: ClosedRange<Int>) throws -> Set<Int> {
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw Error(message: "\(name) \"\(part)\" has more than one step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw Error(message: "\(name) step \"\(pieces[1])\" is not a positive number")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2, let low = Int(ends[0]), let high = Int(ends.count == 2 ? ends[1] : ends[0])
                else {
                    throw Error(message: "\(name) \"\(part)\" is not a number, range or *")
                }
                guard range.contains(low), range.contains(high), low <= high else {
                    throw Error(message: "\(name) \"\(part)\" is outside \(range.lowerBound)-\(range.upperBound)")
                }
                bounds = pieces.count == 2 && ends.count == 1 ? low...range.upperBound : low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }
}
