/// A fuzz input cut into sections at `0xFF` bytes, which never occur in UTF-8 text: harnesses that need several
/// strings (a query, a header, a body) read them from one input this way, and seeds stay readable.
///
/// The last section a harness asks for takes the rest of the input, `0xFF` bytes included, so a body can still
/// hold any byte.
struct FuzzSections {
    private var rest: ArraySlice<UInt8>
    /// Whether every section has been read (later reads return nil).
    private(set) var exhausted = false

    /// The sections of the `count` bytes at `start` (libFuzzer passes a null pointer with a count of 0).
    init(_ start: UnsafePointer<UInt8>?, _ count: Int) {
        rest = start.map { ArraySlice(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    }

    /// The bytes up to the next `0xFF` (or to the end), or nil once the input is used up.
    mutating func next() -> ArraySlice<UInt8>? {
        guard !exhausted else { return nil }
        guard let separator = rest.firstIndex(of: 0xFF) else {
            exhausted = true
            return rest
        }
        defer { rest = rest[(separator + 1)...] }
        return rest[..<separator]
    }

    /// The next section as text (invalid UTF-8 repaired with U+FFFD), or nil once the input is used up.
    mutating func nextText() -> String? {
        next().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Everything not read yet, separators included.
    mutating func remainder() -> ArraySlice<UInt8> {
        guard !exhausted else { return [] }
        exhausted = true
        return rest
    }
}
