import BifrostGateway
import Foundation
import Logging
import Testing

/// The text log format: one line per entry, with the logger's metadata (however often it changed) and the entry's.
@Suite struct TextLogHandlerTests {
    @Test func linesCarryMetadataSetAfterCreationSortedAndOverriddenByTheEntry() throws {
        let pipe = Pipe()
        var logger = Logger(label: "bifrost.test") { label in
            TextLogHandler(label: label, level: .info, output: pipe.fileHandleForWriting)
        }
        logger[metadataKey: "z.request"] = "r-1"
        logger[metadataKey: "a.org"] = "acme"
        logger.debug("not written: below the level")
        logger.info("run finished", metadata: ["a.org": "override", "m.status": "Success"])
        try pipe.fileHandleForWriting.close()

        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let line = String(try #require(lines.first))
        #expect(line.hasSuffix(" info bifrost.test: a.org=override m.status=Success z.request=r-1 [BifrostGatewayTests] run finished"))
        let time = try #require(line.split(separator: " ").first)
        #expect(try Date(String(time), strategy: .iso8601) <= Date())
    }
}
