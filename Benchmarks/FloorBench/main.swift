import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// The least a gateway on this stack can do per run: the floor `Benchmarks/floor.sh` measures `bifrost` against.
///
/// A plain Hummingbird server with no middleware, on the same PostgresNIO client, doing as little as it can:
/// `POST /run` reads the body, inserts one row holding it (PostgreSQL parses it as `jsonb`) and a result with a
/// prepared statement, and answers the run's id and result as JSON; `GET /health/live` answers a fixed body. No
/// JSON coding in the server, no authentication, validation, rate limiting, logs, metrics or run bookkeeping:
/// what `bifrost` adds to these is the difference between the two.
///
/// Configured from the environment: `FLOOR_PORT`, and the database's `FLOOR_DB_PORT`, `FLOOR_DB_USER`,
/// `FLOOR_DB_PASSWORD`, `FLOOR_DB_NAME` (on 127.0.0.1, without TLS); `FLOOR_MIDDLEWARE` (0 by default) puts that
/// many middleware that only call the next in front of the routes, to measure what one costs a request.
@main
struct FloorBench {
    /// The one statement per run, prepared once per connection.
    struct InsertRun: PostgresPreparedStatement {
        typealias Row = ()
        static let name = "floor_insert_run"
        static let sql =
            "INSERT INTO floor_runs (id, status, input, result) VALUES ($1, 'Success', $2::jsonb, $3::jsonb)"

        var id: UUID
        var input: String
        var result: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(id)
            bindings.append(input)
            bindings.append(result)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ name: String) throws -> String {
            guard let value = environment[name] else { throw MissingSetting(name: name) }
            return value
        }
        guard let port = Int(try setting("FLOOR_PORT")), let databasePort = Int(try setting("FLOOR_DB_PORT")) else {
            throw MissingSetting(name: "FLOOR_PORT or FLOOR_DB_PORT as a number")
        }
        let logger = Logger(label: "floor")
        let client = PostgresClient(
            configuration: .init(
                host: "127.0.0.1", port: databasePort, username: try setting("FLOOR_DB_USER"),
                password: try setting("FLOOR_DB_PASSWORD"), database: try setting("FLOOR_DB_NAME"), tls: .disable
            ),
            backgroundLogger: logger
        )

        let router = Router()
        for _ in 0..<(Int(environment["FLOOR_MIDDLEWARE"] ?? "") ?? 0) { router.add(middleware: PassThrough()) }
        router.get("/health/live") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        router.post("/run") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let id = UUID()
            let result = #"{"found":true}"#
            try await client.execute(
                InsertRun(id: id, input: String(buffer: body), result: result), logger: logger
            )
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            #"{"execution_id":"\#(id.uuidString.lowercased())","status":"Success","result":\#(result)}"#
                    ))
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            try await client.query(
                """
                CREATE TABLE IF NOT EXISTS floor_runs (
                    id uuid PRIMARY KEY, status text NOT NULL, input jsonb NOT NULL, result jsonb,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                logger: logger
            )
            try await app.runService()
            group.cancelAll()
        }
    }

    /// A middleware that does nothing but call the next.
    struct PassThrough<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            try await next(request, context)
        }
    }

    struct MissingSetting: Error, CustomStringConvertible {
        var name: String
        var description: String { "floor-bench needs \(name) in its environment" }
    }
}
