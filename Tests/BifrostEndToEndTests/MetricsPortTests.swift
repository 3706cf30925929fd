import AsyncHTTPClient
import BifrostStore
import BifrostTestSupport
import Foundation
import NIOCore
import Testing

/// `metrics.port`: `/metrics` on a port of its own, and off the API's surface.
@Suite struct MetricsPortTests {
    @Test func metricsAreServedOnTheirOwnPortAndTheAPIPortAnswers404() async throws {
        let metricsPort = try #require(LoopbackPort.free())
        try await RunningGateway.with(environment: ["BIFROST_METRICS_PORT": "\(metricsPort)"]) { gateway, _ in
            // A request on the API port, so that the registry has a series to show.
            #expect(try await ServerProcess.status(of: "\(gateway.baseURL)/health/live") == 200)

            let scrape = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(10))
            #expect(scrape.status.code == 200)
            #expect(scrape.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
            let text = String(buffer: try await scrape.body.collect(upTo: 1 << 22))
            #expect(text.contains(#"http_requests_total{route="/health/live""#), "\(text.prefix(2_000))")

            let api = try await ServerProcess.exchange(.GET, "\(gateway.baseURL)/metrics")
            #expect(api.status == 404)
            #expect(api.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(
                try await ServerProcess.status(of: "http://127.0.0.1:\(metricsPort)/api/workflows") == 404,
                "the metrics port serves nothing but /metrics")
        }
    }
}
