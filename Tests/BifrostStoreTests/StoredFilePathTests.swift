import BifrostStore
import Testing

/// File paths: relative, `/`-separated, and nothing that could escape or be read two ways.
@Suite struct StoredFilePathTests {
    @Test(arguments: ["data/output.txt", "report.csv", "a b/ünïcode.txt", "x/y/z/.hidden", "..name", "a..b/c"])
    func ordinaryPathsAreAccepted(_ path: String) throws {
        #expect(try StoredFilePath(path).text == path)
    }

    @Test(arguments: [
        ("", "empty"), ("/etc/passwd", "relative"), ("../secrets.txt", "'..'"), ("data/../../x", "'..'"),
        ("data/./x", "'.'"), (".", "'.'"), ("a//b", "empty segment"), ("data/", "empty segment"),
        ("data\\..\\x", "backslash"), ("a\u{0}b", "control"), ("a\nb", "control"), ("a\u{7f}", "control"),
        (String(repeating: "x", count: 1_025), "1024"),
    ])
    func escapingOrAmbiguousPathsAreRefused(_ path: String, _ reason: String) {
        do {
            _ = try StoredFilePath(path)
            Issue.record("accepted \(path.debugDescription)")
        } catch let refusal as StoredFilePath.Refusal {
            #expect(refusal.reason.contains(reason), "\(refusal.reason)")
            #expect(!refusal.description.contains("\n") && !refusal.description.contains("\u{0}"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
