import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A real headless Chromium driven over the W3C WebDriver protocol: the distribution's `chromium` and
/// `chromedriver` (`scripts/install-dependencies` installs them), started per test on a loopback port. Only what
/// the console's tests need: open a page, find elements (waiting for them), type, click, read text, run a script,
/// take a screenshot.
public final class WebDriver: Sendable {
    /// What the driver answered with an error.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let session: String
    private let client: HTTPClient

    private init(session: String, client: HTTPClient) {
        self.session = session
        self.client = client
    }

    /// Starts `chromedriver` and a headless browser, runs `body`, and stops both.
    public static func withBrowser<Result: Sendable>(_ body: (WebDriver) async throws -> Result) async throws -> Result
    {
        let driverPath = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let driverPath else {
            throw Failure(description: "chromedriver is not installed: run scripts/install-dependencies")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: driverPath)
            process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let base = "http://127.0.0.1:\(port)"
            do {
                guard try await ready(base, client: client, process: process) else {
                    await stop(process)
                    continue
                }
                let result = try await session(at: base, client: client, body)
                await stop(process)
                return result
            } catch {
                await stop(process)
                throw error
            }
        }
        throw Failure(description: "chromedriver did not start on any of five ports")
    }

    /// Makes a browser session of the driver at `base`, runs `body` with it, and ends the session.
    private static func session<Result: Sendable>(
        at base: String, client: HTTPClient, _ body: (WebDriver) async throws -> Result
    ) async throws -> Result {
        let created = try await request(
            client, .POST, base + "/session",
            [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": "/usr/bin/chromium",
                            "args": [
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--window-size=1280,900", "--no-first-run", "--disable-extensions",
                                "--disable-features=PasswordLeakDetection,PasswordManagerOnboarding",
                            ],
                            // The password manager's prompts (save, leaked password) would hold the page.
                            "prefs": [
                                "credentials_enable_service": false,
                                "profile.password_manager_enabled": false,
                                "profile.password_manager_leak_detection": false,
                            ],
                        ],
                    ]
                ]
            ])
        guard let id = (created as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "chromedriver made no session: \(String(describing: created))")
        }
        let driver = WebDriver(session: base + "/session/" + id, client: client)
        do {
            let result = try await body(driver)
            _ = try? await request(client, .DELETE, driver.session, nil)
            return result
        } catch {
            // What the page showed when the test failed, for whoever reads the failure.
            let shown = try? await driver.script("return location.href + '\\n' + document.body.innerText") as? String
            _ = try? await request(client, .DELETE, driver.session, nil)
            throw Failure(description: "\(error)\nThe page showed: \(shown ?? "nothing")")
        }
    }

    /// Stops `process` and waits for it to exit, without blocking a thread of the concurrency pool
    /// (`Process.waitUntilExit` there can hang).
    private static func stop(_ process: Process) async {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Opens `url`.
    public func open(_ url: String) async throws {
        _ = try await command(.POST, "/url", ["url": url])
    }

    /// The first element matching `css`, waiting for it to appear (up to `within`).
    public func element(_ css: String, within limit: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while true {
            if let found = try? await command(.POST, "/element", ["using": "css selector", "value": css]),
                let reference = (found as? [String: Any])?.values.first as? String
            {
                return reference
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "no element matches \(css)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Types `text` into the element matching `css` (after clearing it).
    public func type(_ css: String, _ text: String) async throws {
        let id = try await element(css)
        _ = try await command(.POST, "/element/\(id)/clear", [:])
        _ = try await command(.POST, "/element/\(id)/value", ["text": text])
    }

    /// Clicks the element matching `css`.
    public func click(_ css: String) async throws {
        let id = try await element(css)
        _ = try await command(.POST, "/element/\(id)/click", [:])
    }

    /// Picks the option whose visible text is `label` in the select matching `css`, waiting for both to appear (up
    /// to `within`).
    public func select(_ css: String, label: String, within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            let picked = try await script(
                "const s = document.querySelector(arguments[0]); const o = s && [...s.options].find(o => o.text === arguments[1]);"
                    + " if (!o) return false; s.value = o.value; s.dispatchEvent(new Event('change')); return true;",
                css, label)
            if picked as? Bool == true { return }
            guard ContinuousClock.now < deadline else { throw Failure(description: "\(css) has no option \(label)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The visible text of the element matching `css`.
    public func text(_ css: String) async throws -> String {
        let id = try await element(css)
        return try await command(.GET, "/element/\(id)/text", nil) as? String ?? ""
    }

    /// Waits until the text of the element matching `css` satisfies `check` (up to `within`). - Returns: the text.
    @discardableResult
    public func waitForText(
        _ css: String, within limit: Duration = .seconds(30), _ check: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while true {
            let current = (try? await text(css)) ?? ""
            if check(current) { return current }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\(css) never showed the expected text; it shows \"\(current)\"")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs `source` as a function body in the page with `arguments`, and returns what it returns.
    public func script(_ source: String, _ arguments: String...) async throws -> Any? {
        try await command(.POST, "/execute/sync", ["script": source, "args": arguments])
    }

    /// Sets the window's size in CSS pixels (a narrow window shows the console as a phone would).
    public func resize(width: Int, height: Int) async throws {
        _ = try await command(.POST, "/window/rect", ["width": width, "height": height])
    }

    /// Saves a PNG of the window at `file`.
    public func screenshot(to file: URL) async throws {
        guard let encoded = try await command(.GET, "/screenshot", nil) as? String,
            let png = Data(base64Encoded: encoded)
        else { throw Failure(description: "no screenshot") }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: file)
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        try await Self.request(client, method, session + path, body)
    }

    private static func request(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: [String: Any]?)
        async throws -> Any?
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let data = Data(buffer: try await response.body.collect(upTo: 32 << 20))
        let answer = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? [String: Any]
        guard response.status.code < 300 else {
            throw Failure(description: "\(method) \(url): \(response.status.code) \(answer?["value"] ?? "")")
        }
        return answer?["value"]
    }

    private static func ready(_ base: String, client: HTTPClient, process: Process) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, process.isRunning {
            if let status = try? await request(client, .GET, base + "/status", nil) as? [String: Any],
                status["ready"] as? Bool == true
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
