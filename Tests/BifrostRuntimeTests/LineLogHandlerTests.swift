import BifrostRuntime
import Foundation
import Logging
import Testing

/// Both log formats: one line per entry at or above the level, with the logger's metadata (however often it
/// changed) and the entry's, the entry's winning.
@Suite struct LineLogHandlerTests {
    @Test func textLinesCarryTheMetadataSortedWithTheEntrysWinning() throws {
        let lines = try written(as: .text)
        #expect(lines.count == 1)
        let line = String(try #require(lines.first))
        #expect(
            line.hasSuffix(
                " info bifrost.test: a.org=override m.status=Success z.request=r-1 [BifrostRuntimeTests] run finished"))
        let time = try #require(line.split(separator: " ").first)
        #expect(try Date(String(time), strategy: .iso8601) <= Date())
    }

    @Test func jsonLinesAreObjectsWithTheMetadataAsStrings() throws {
        let lines = try written(as: .json)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "info")
        #expect(object["message"] == "run finished")
        #expect(object["label"] == "bifrost.test")
        #expect(object["source"] == "BifrostRuntimeTests")
        #expect(object["z.request"] == "r-1")
        #expect(object["a.org"] == "override")
        #expect(object["m.status"] == "Success")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }

    @Test func aValueWithLineBreaksOrControlCharactersCannotForgeALine() throws {
        let pipe = Pipe()
        let logger = Logger(label: "bifrost.test") { label in
            LineLogHandler(label: label, level: .info, format: .text, output: pipe.fileHandleForWriting)
        }
        let forged = "x\n2026-12-02T00:00:00Z critical bifrost: [admin] forged\r\u{1B}[31m\u{2028}"
        logger.info("\(forged)", metadata: ["user.input": "\(forged)", "key\nname": "v"])
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(text.hasSuffix("\n"))
        #expect(!text.contains("\r") && !text.contains("\u{1B}") && !text.contains("\u{2028}"))
        #expect(text.contains("x\\n2026-12-02T00:00:00Z critical"))
        #expect(text.contains("\\u{1B}[31m"))
        #expect(text.contains("key\\nname=v"))
    }

    /// The lines an info-level handler in `format` writes for one entry below its level and one at it.
    private func written(as format: GatewayConfiguration.Log.Format) throws -> [Substring] {
        let pipe = Pipe()
        var logger = Logger(label: "bifrost.test") { label in
            LineLogHandler(label: label, level: .info, format: format, output: pipe.fileHandleForWriting)
        }
        logger[metadataKey: "z.request"] = "r-1"
        logger[metadataKey: "a.org"] = "acme"
        logger.debug("not written: below the level")
        logger.info("run finished", metadata: ["a.org": "override", "m.status": "Success"])
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    }
}
