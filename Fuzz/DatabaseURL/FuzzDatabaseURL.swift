/// libFuzzer entry point for `DatabaseURL(parsing:)`, which reads `BIFROST_DATABASE_URL` and `--database-url`.
///
/// The input is the URL's text (invalid UTF-8 repaired with U+FFFD, as no environment variable holds it).
/// Checked on every parsed URL: `urlStringWithPassword`, which is handed to child processes, parses back to the
/// same address.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatabaseURL(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { UnsafeBufferPointer(start: $0, count: count) } ?? UnsafeBufferPointer(start: nil, count: 0)
    guard let url = try? DatabaseURL(parsing: String(decoding: bytes, as: UTF8.self)) else { return 0 }
    let text = url.urlStringWithPassword
    guard let again = try? DatabaseURL(parsing: text) else { fatalError("\(text.debugDescription) does not parse") }
    guard again.host == url.host, again.port == url.port, again.username == url.username,
        again.password == url.password, again.database == url.database, again.tlsMode == url.tlsMode
    else { fatalError("\(text.debugDescription) parses to another address") }
    return 0
}
