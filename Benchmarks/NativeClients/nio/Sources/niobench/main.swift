import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PostgresNIO

func status(_ key: String) -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return Int(line.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? -1
    }
    return -1
}
func report(_ phase: String) {
    print(
        phase.padding(toLength: 28, withPad: " ", startingAt: 0),
        "VmRSS \(status("VmRSS")) KiB  VmSize \(status("VmSize")) KiB  Threads \(status("Threads"))")
    fflush(nil)
}

let args = CommandLine.arguments
let mode = args[1], n = Int(args[2])!, seconds = Double(args[3])!
let logger = Logger(label: "bench")
report("start")
if mode == "pg" {
    let config = PostgresConnection.Configuration(
        host: "127.0.0.1", port: 55432, username: "postgres",
        password: nil, database: "postgres", tls: .disable)
    let connections = try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
        for i in 0..<n {
            group.addTask { try await PostgresConnection.connect(configuration: config, id: i, logger: logger) }
        }
        var all: [PostgresConnection] = []
        for try await c in group { all.append(c) }
        return all
    }
    report("all connected")
    let t0 = Date()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for c in connections {
            group.addTask {
                _ = try await c.query(PostgresQuery(unsafeSQL: "SELECT pg_sleep(\(seconds))"), logger: logger).collect()
            }
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds / 2)); report("all waiting")
        }
        try await group.waitForAll()
    }
    print("\(n) concurrent \(seconds)s queries took \(String(format: "%.2f", Date().timeIntervalSince(t0)))s wall")
    for c in connections { let f: EventLoopFuture<Void> = c.close(); try await f.get() }
} else {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: n)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let url = args[4]
    let t0 = Date()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<n {
            group.addTask {
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds / 2)); report("all waiting")
        }
        try await group.waitForAll()
    }
    print("\(n) concurrent requests took \(String(format: "%.2f", Date().timeIntervalSince(t0)))s wall")
    try await client.shutdown()
}
report("end")
