import AsyncHTTPClient
import BifrostStore
public import Foundation
import NIOCore
import NIOFoundationCompat
public import NIOHTTP1
import Synchronization

/// A real `bifrost` process started by a test, with its output captured.
public final class ServerProcess: Sendable {
    /// Where the built `bifrost-testbed` executable is (`bifrost` with the test workflows added): `BIFROST_BINARY`,
    /// else beside the test bundle.
    public static func binaryPath() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["BIFROST_BINARY"] { return configured }
        return try builtExecutable("bifrost-testbed")
    }

    /// Where the shipped `bifrost` executable is: beside `binaryPath()`.
    public static func shippedBinaryPath() throws -> String {
        let path = URL(fileURLWithPath: try binaryPath()).deletingLastPathComponent().appending(path: "bifrost").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(path) (run `swift build` first)"])
        }
        return path
    }

    private static func builtExecutable(_ name: String) throws -> String {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name) (run `swift build` first)"])
    }

    /// The master key test processes use: base64 of 32 fixed bytes (a test key, never a real one).
    public static let testMasterKey = Data((0..<32).map { UInt8($0 * 7 & 0xff) }).base64EncodedString()

    private let process: Process
    private let captured = CapturedOutput()

    /// Starts `bifrost <arguments>` in `workingDirectory` with `environment` added to this process's.
    /// - Parameter executable: what to run instead of `bifrost-testbed` (the shipped `bifrost`, `runuser`, …).
    public init(
        arguments: [String], workingDirectory: URL, environment: [String: String] = [:], standardInput: String? = nil,
        executable: String? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? Self.binaryPath())
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BIFROST_") }
        // Every process of a test run shares one master key unless the test gives its own (an external
        // database needs one).
        variables["BIFROST_MASTER_KEY"] = Self.testMasterKey
        // Test processes run side by side on one cluster: each keeps one connection open, not a full pool.
        variables["BIFROST_DATABASE_MIN_CONNECTIONS"] = "1"
        variables.merge(environment) { _, new in new }
        process.environment = variables
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let input = Pipe()
        process.standardInput = standardInput == nil ? FileHandle.nullDevice : input
        self.process = process
        let captured = self.captured
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil  // end of output
                captured.end()
            } else {
                captured.append(data)
            }
        }
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try input.fileHandleForWriting.close()
        }
    }

    /// POSTs a JSON body to `url`; returns the status and the parsed JSON object of the answer.
    public static func postJSON(_ url: String, _ body: [String: String]) async throws -> (Int, [String: Any]) {
        try await send(.POST, url, json: body)
    }

    /// Sends `method` to `url` with an optional JSON body and extra headers; returns the status and the parsed
    /// JSON object of the answer (empty when it is none).
    public static func send(
        _ method: HTTPMethod, _ url: String, json body: [String: Any]? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any]
        return (Int(response.status.code), object ?? [:])
    }

    /// An HTTP answer: its status, headers and JSON body (nil when it has none).
    public struct Answer {
        public let status: Int
        public let headers: HTTPHeaders
        /// The JSON body as `JSONSerialization` reads it (an object, an array, …).
        public let json: Any?

        /// The body as a JSON object (empty when it is not one).
        public var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// Sends `method` to `url` with an optional JSON body and extra headers, following no redirect.
    public static func exchange(
        _ method: HTTPMethod, _ url: String, json body: [String: Any]? = nil, headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await noRedirects.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 1 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers,
            json: try? JSONSerialization.jsonObject(with: Data(buffer: data), options: [.fragmentsAllowed])
        )
    }

    private static let noRedirects = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow)
    )

    /// Everything the process printed so far.
    public var output: String { captured.text }

    public var isRunning: Bool { process.isRunning }

    /// The process id (the same for as long as this process lives).
    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal (SIGTERM, SIGKILL, …).
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `limit` for the process to exit; returns its status, or nil if it is still running.
    public func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        // The exit can be seen before the last of the output has been read: wait for the end of it too, however
        // long the exit took (on a loaded machine the pipe's reader lags), but not forever: a child the process
        // left behind may hold the pipe open.
        let drained = ContinuousClock.now + .seconds(30)
        while !process.isRunning, !captured.hasEnded, ContinuousClock.now < drained {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Polls `url` until it answers `status`, or `limit` passes; returns whether it did.
    public func waitFor(url: String, status: Int, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, process.isRunning {
            if let answer = try? await Self.status(of: url), answer == status { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Why `serving` gave up: the server's output.
    public struct NotServing: Error, CustomStringConvertible {
        public let output: String
        public var description: String { "the server did not become ready:\n\(output.suffix(4_000))" }
    }

    /// Starts a server (`serve` in `arguments`) with `BIFROST_HTTP_PORT` set to a free port and waits until
    /// `/health/ready` answers 200. A port found free can be taken (by another test's outgoing connection, say)
    /// before the server binds it; then the server exits with "Address already in use", and it is started again on
    /// another port, three times at most. Until it says it listens, a 200 may come from another test's server that
    /// holds the port, so that is waited for too.
    /// - Returns: the running server and its port.
    /// - Throws: `NotServing` with the output when it does not become ready.
    public static func serving(
        arguments: [String], workingDirectory: URL, environment: [String: String] = [:], executable: String? = nil,
        within limit: Duration = .seconds(120)
    ) async throws -> (ServerProcess, Int) {
        var output = ""
        for _ in 1...3 {
            guard let port = LoopbackPort.free() else { throw NotServing(output: "no free port") }
            let process = try ServerProcess(
                arguments: arguments, workingDirectory: workingDirectory,
                environment: environment.merging(["BIFROST_HTTP_PORT": "\(port)"]) { $1 }, executable: executable
            )
            // Ours if it says it listens, or (with a log level that hides the line) if it still runs afterwards: a
            // server that lost its port exits.
            if await process.waitFor(url: "http://127.0.0.1:\(port)/health/ready", status: 200, within: limit),
                await process.says("listening on 127.0.0.1:\(port)") || process.isRunning
            {
                return (process, port)
            }
            _ = await process.waitForExit(within: .seconds(10))
            output = process.output
            guard output.contains("Address already in use") else { break }
        }
        throw NotServing(output: output)
    }

    /// Whether the output contains `text` before the process exits (or 10 s pass): its lines reach the capture
    /// a moment after they are written.
    public func says(_ text: String) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !output.contains(text), process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    /// The status code of a GET to `url`.
    public static func status(of url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Bytes a child process printed, appended from the pipe's reader thread.
private final class CapturedOutput: Sendable {
    private let data = Mutex((bytes: Data(), ended: false))

    func append(_ more: Data) { data.withLock { $0.bytes.append(more) } }

    /// The process closed its output (it has exited, and everything it wrote has been read).
    func end() { data.withLock { $0.ended = true } }

    var hasEnded: Bool { data.withLock { $0.ended } }

    var text: String { data.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
}
