/// libFuzzer entry point for `JSONValue(parsing:)` and `jsonText`.
///
/// The input is JSON text, as a request body brings it. Checked on every input:
/// - parsing the bytes and parsing the same bytes as a `String` agree (both succeed with equal values or both
///   fail) when the bytes are valid UTF-8;
/// - a parsed value holds only finite numbers, and writing it with `jsonText` and parsing that again gives an
///   equal value (the round trip the engine does with every run's input and result).
/// Any trap, and any broken property (reported with `fatalError`), is a crash to libFuzzer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONValue(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { UnsafeBufferPointer(start: $0, count: count) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let parsed = try? JSONValue(parsing: bytes)
    if let text = String(validating: bytes, as: UTF8.self) {
        let parsedText = try? JSONValue(parsing: text)
        guard parsedText == parsed else { fatalError("bytes and String parse differently: \(text.debugDescription)") }
    }
    guard let parsed else { return 0 }
    checkFinite(parsed)
    let written = parsed.jsonText
    let reparsed: JSONValue
    do {
        reparsed = try JSONValue(parsing: written)
    } catch {
        fatalError("jsonText wrote text that does not parse (\(error)): \(written.debugDescription)")
    }
    guard reparsed == parsed else { fatalError("round trip changed the value: \(written.debugDescription)") }
    return 0
}

/// Traps on a non-finite `.double` anywhere in `value`: JSON cannot write one, so the parser must never make one.
private func checkFinite(_ value: JSONValue) {
    switch value {
    case .double(let double): guard double.isFinite else { fatalError("parsed a non-finite number: \(double)") }
    case .array(let elements): elements.forEach(checkFinite)
    case .object(let members): members.values.forEach(checkFinite)
    case .null, .bool, .int, .string: break
    }
}
