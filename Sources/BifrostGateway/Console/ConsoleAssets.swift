import BifrostCrypto
import Foundation

/// The console's files, built into the binary from `Resources/Console/` (the package embeds every file of that
/// folder; a test checks this list names each of them once).
///
/// Each is served with an `ETag` (its SHA-256), so a browser that has it already gets `304 Not Modified` with no
/// body: a console opened again costs a few hundred bytes.
struct ConsoleAssets: Sendable {
    /// One file: its media type, its bytes and its entity tag.
    struct Asset: Sendable {
        let type: String
        let bytes: [UInt8]
        let entityTag: String

        init(type: String, bytes: [UInt8]) {
            self.type = type
            self.bytes = bytes
            self.entityTag = "\"" + Array(SHA256Digest.hash(bytes).prefix(16)).hexString + "\""
        }
    }

    /// The files by name: the page, its style and its script modules.
    static let files: [String: Asset] = [
        "console.html": Asset(type: html, bytes: PackageResources.console_html),
        "console.css": Asset(type: "text/css; charset=utf-8", bytes: PackageResources.console_css),
        "app.js": Asset(type: script, bytes: PackageResources.app_js),
        "api.js": Asset(type: script, bytes: PackageResources.api_js),
        "dom.js": Asset(type: script, bytes: PackageResources.dom_js),
        "workflows.js": Asset(type: script, bytes: PackageResources.workflows_js),
        "runs.js": Asset(type: script, bytes: PackageResources.runs_js),
        "admin.js": Asset(type: script, bytes: PackageResources.admin_js),
    ]

    private static let html = "text/html; charset=utf-8"
    private static let script = "text/javascript; charset=utf-8"
}
