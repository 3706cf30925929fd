import HTTPTypes
import Synchronization

/// Every route the gateway serves, as path templates with their methods.
///
/// The router answers "no route" both for unknown paths and for known paths with another method; this table
/// tells the two apart, so the gateway can answer 405 with `Allow` instead of 404.
final class RouteTable: Sendable {
    private struct Route {
        var segments: [Substring]
        var method: HTTPRequest.Method
    }

    private let routes = Mutex<[Route]>([])

    /// Records a route; `path` is an OpenAPI template (`/api/users/{id}`) or a Hummingbird one (`/api/users/:id`).
    func add(method: HTTPRequest.Method, path: String) {
        let route = Route(segments: Self.segments(of: path), method: method)
        routes.withLock { $0.append(route) }
    }

    /// The methods served at a concrete request path; empty when no route matches it.
    func methods(forPath path: String) -> [HTTPRequest.Method] {
        let requested = Self.segments(of: path)
        let matching = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == requested.count
                    && zip(route.segments, requested).allSatisfy { template, actual in
                        Self.isParameter(template) || template == actual
                    }
            }
        }
        var methods: [HTTPRequest.Method] = []
        for route in matching where !methods.contains(route.method) { methods.append(route.method) }
        return methods
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
    }
}
