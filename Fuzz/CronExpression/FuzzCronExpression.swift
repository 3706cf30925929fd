import Foundation

/// libFuzzer entry point for `CronExpression(parsing:)` and the slots of what it parses.
///
/// The input is the expression's text, optionally followed by a `0xFF` byte and a moment in seconds since 1970
/// (decimal; the time of the Standard Webhooks vector, 2021-02-25, when absent or not a number). The moment is
/// kept within ±10¹¹ seconds (about ±3,000 years): slots are computed for the scheduler's clock and the
/// database's timestamps, never for a moment a caller sends.
///
/// Checked on every parsed expression: its `description` parses to an equal expression; the next slot after
/// the moment is later, on a whole minute, and is its own latest slot at or before; the latest slot at or before
/// the moment is not later; both exist exactly when `everFires` (the ten years searched are enough).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCronExpression(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var sections = FuzzSections(start, count)
    let text = sections.nextText() ?? ""
    let seconds = sections.nextText().flatMap { Int($0) } ?? 1_614_265_330
    let moment = Date(timeIntervalSince1970: Double(max(-100_000_000_000, min(100_000_000_000, seconds))))
    let at = "\(text.debugDescription) at \(moment.timeIntervalSince1970)"
    guard let expression = try? CronExpression(parsing: text) else { return 0 }
    guard (try? CronExpression(parsing: expression.description)) == expression else {
        fatalError("description does not parse back: \(expression.description.debugDescription)")
    }
    let next = expression.slot(after: moment)
    if let next {
        guard next > moment, next.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0 else {
            fatalError("\(at): next slot \(next.timeIntervalSince1970)")
        }
        guard expression.slot(atOrBefore: next) == next else {
            fatalError("\(at): next slot \(next.timeIntervalSince1970) is not its own latest")
        }
    }
    let previous = expression.slot(atOrBefore: moment)
    if let previous, previous > moment { fatalError("\(at): latest slot \(previous.timeIntervalSince1970)") }
    let fires = expression.everFires
    guard (next != nil) == fires, (previous != nil) == fires else {
        fatalError("\(at): everFires is \(fires), next \(next != nil), previous \(previous != nil)")
    }
    return 0
}
