import BifrostGateway
import Foundation
import Logging
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func writesOneJSONObjectPerLineWithLevelMessageAndMetadata() throws {
        let pipe = Pipe()
        var logger = Logger(label: "bifrost.test") { label in
            JSONLogHandler(label: label, level: .info, output: pipe.fileHandleForWriting)
        }
        logger[metadataKey: "hb.request.id"] = "abc123"
        logger.debug("hidden below the level")
        logger.info("Started", metadata: ["bifrost.db.port": "5432"])
        logger.warning("Second line")
        try pipe.fileHandleForWriting.close()

        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String])
        #expect(first["level"] == "info")
        #expect(first["message"] == "Started")
        #expect(first["label"] == "bifrost.test")
        #expect(first["hb.request.id"] == "abc123")
        #expect(first["bifrost.db.port"] == "5432")
        #expect(first["time"]?.hasSuffix("Z") == true)
    }
}
