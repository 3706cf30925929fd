import BifrostRuntime
import HTTPTypes
import Hummingbird
import Logging

/// Writes one entry per request to the access log (`log.access`), once the response is ready: the final status,
/// the route template and who called, never the raw path, the query string (it may carry an OAuth code) or a
/// credential.
///
/// Entries go to `logger` (label `bifrost.access`) at level info, whatever `log.level` says, as the message
/// `Request` with the metadata `request_id`, `trace_id` (when tracing knows it), `method`, `route` (the template,
/// or `NotFound`), `status`, `duration_ms`, `principal_kind`, `principal_id`, `organization_id` (when
/// authenticated), `client_address` (after trusted-proxy resolution), `bytes_in` (the request's
/// `Content-Length`, when given) and `bytes_out` (when the response's length is known). `log.format: json` makes
/// each a JSON line. An error that reaches this middleware (none should: `ProblemMiddleware` renders them further
/// in) is logged with its status, 500 unless it carries one, and rethrown.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let mode: GatewayConfiguration.AccessLog
    let logger: Logger
    /// A number in 0..<1 per request, compared with the share of `.sampled`.
    let random: @Sendable () -> Double

    init(
        mode: GatewayConfiguration.AccessLog, logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        var logger = logger
        logger.logLevel = .info
        self.mode = mode
        self.logger = logger
        self.random = random
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            write(
                request, context: context, status: Int(response.status.code),
                bytesOut: response.body.contentLength, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            write(request, context: context, status: Int(status), bytesOut: nil, since: start)
            throw error
        }
    }

    /// Whether a request answered with `status` is logged: all with `.on`, every server error and a random share
    /// of the rest with `.sampled`.
    func shouldLog(status: Int) -> Bool {
        switch mode {
        case .off: false
        case .on: true
        case .sampled(let share): status >= 500 || random() < share
        }
    }

    private func write(
        _ request: Request, context: Context, status: Int, bytesOut: Int?, since start: ContinuousClock.Instant
    ) {
        guard shouldLog(status: status) else { return }
        let elapsed = ContinuousClock.now - start
        let observed = context.observation.values
        var metadata: Logger.Metadata = [
            "request_id": .string(context.id),
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "NotFound"),
            "status": .stringConvertible(status),
            "duration_ms": .string(Self.milliseconds(elapsed)),
        ]
        if let traceID = observed.traceID { metadata["trace_id"] = .string(traceID) }
        if let kind = observed.principalKind { metadata["principal_kind"] = .string(kind) }
        if let id = observed.principalID { metadata["principal_id"] = .string(id) }
        if let organization = observed.organizationID { metadata["organization_id"] = .string(organization) }
        if let address = context.clientAddress { metadata["client_address"] = .string(address) }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }) {
            metadata["bytes_in"] = .stringConvertible(length)
        } else if request.headers[.transferEncoding] == nil {
            metadata["bytes_in"] = "0"
        }
        if let bytesOut { metadata["bytes_out"] = .stringConvertible(bytesOut) }
        logger.info("Request", metadata: metadata)
    }

    /// `duration` in milliseconds with three decimals (microseconds).
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration / .microseconds(1)
        let (whole, fraction) = Int(microseconds).quotientAndRemainder(dividingBy: 1_000)
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: 3 - digits.count) + digits
    }
}
