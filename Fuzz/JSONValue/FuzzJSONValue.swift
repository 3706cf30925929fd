/// libFuzzer entry point for `JSONValue(parsing:)` and `jsonText`.
///
/// The input is JSON text, as a request body brings it. Checked on every input:
/// - parsing the bytes and parsing the same bytes as a `String` agree (both succeed with equal values or both
///   fail) when the bytes are valid UTF-8;
/// - a parsed value holds only finite numbers and nests no deeper than 512 levels (as `depth` counts), and
///   writing it with `jsonText` and parsing that again gives an equal value (the round trip the engine does with
///   every run's input and result);
/// - `storableJSONText` parses to a value without U+0000, equal to the parsed one when that had none.
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
    guard parsed.depth <= 512 else { fatalError("parsed a value \(parsed.depth) levels deep") }
    let written = parsed.jsonText
    guard reparse(written, "jsonText") == parsed else {
        fatalError("round trip changed the value: \(written.debugDescription)")
    }
    let storable = parsed.storableJSONText
    let stored = reparse(storable, "storableJSONText")
    guard stored.pathsHoldingNUL(under: "$").isEmpty else { fatalError("storable text holds NUL: \(storable)") }
    guard stored == parsed || !parsed.pathsHoldingNUL(under: "$").isEmpty else {
        fatalError("storableJSONText changed a value without NUL: \(storable.debugDescription)")
    }
    return 0
}

/// The value `text` (written by `writer`) holds; traps when it does not parse.
private func reparse(_ text: String, _ writer: String) -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        fatalError("\(writer) wrote text that does not parse (\(error)): \(text.debugDescription)")
    }
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
