import BifrostRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// The operator console: its page and assets (built into the binary, `Resources/console.*`), and its cookie
/// session. Everything else the console does goes through the admin API, signed in by the session cookie
/// (`AuthenticationMiddleware` accepts it, with the CSRF echo on requests that change something).
///
/// - `GET /console` (and `/`): the page; `GET /console/{file}`: its script modules and style (`ConsoleAssets`),
///   revalidated by `ETag`. Every answer carries a Content-Security-Policy that allows this origin's script and style only (no inline
///   script, no framing, no other origin), `nosniff` and `no-referrer`.
/// - `POST /console/session` `{email, password}`: signs in as `POST /auth/login` does (same throttle and audit) and
///   sets the session's cookies (`ConsoleCookies`); answers `{expires_in}`.
/// - `POST /console/session/refresh`: spends the refresh cookie for new cookies. `POST /console/session/end`: ends
///   the login and clears the cookies. Both need the CSRF echo.
///
/// Signing in through an OpenID Connect issuer ("Sign in with Microsoft") is `ConsoleSignInRoutes`' part.
struct ConsoleRoutes: Sendable {
    let sessions: PasswordSessions
    let cookies: ConsoleCookies
    let maximumBodySize: Int

    /// The Content-Security-Policy of every console answer.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/") { _, _ in Self.redirectToConsole }
        router.get("/console") { request, _ in Self.asset("console.html", for: request) }
        router.get("/console/:file") { request, context in
            Self.asset(try context.parameters.require("file"), for: request)
        }
        router.post("/console/session") { request, _ in try await signIn(request) }
        router.post("/console/session/refresh") { request, _ in try await refresh(request) }
        router.post("/console/session/end") { request, _ in try await end(request) }
    }

    private struct Credentials: Decodable {
        var email: String
        var password: String
    }

    private func signIn(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: maximumBodySize)
        guard let credentials = try? JSONDecoder().decode(Credentials.self, from: Data(buffer: body)),
            (3...320).contains(credentials.email.utf8.count), (1...1024).contains(credentials.password.utf8.count)
        else {
            throw Problem.validation([.init(field: "email", message: "email and password are required")])
        }
        return try session(try await sessions.signIn(email: credentials.email, password: credentials.password))
    }

    private func refresh(_ request: Request) async throws -> Response {
        let cookieHeader = try checkedCookies(request)
        guard let token = ConsoleCookies.value(ConsoleCookies.refresh, in: cookieHeader) else {
            throw Problem.unauthorized("The console session has ended; sign in again.", error: "invalid_grant")
        }
        return try session(try await sessions.refresh(token))
    }

    private func end(_ request: Request) async throws -> Response {
        let cookieHeader = try checkedCookies(request)
        try await sessions.end(
            refreshToken: ConsoleCookies.value(ConsoleCookies.refresh, in: cookieHeader), caller: nil)
        var headers = HTTPFields()
        for cookie in cookies.clearing { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .noContent, headers: headers)
    }

    /// The request's cookies, once its CSRF echo is checked. - Throws: `Problem` 403 without a valid echo.
    private func checkedCookies(_ request: Request) throws -> String {
        let header = request.headers[values: .cookie].joined(separator: "; ")
        guard
            ConsoleCookies.isCSRFValid(
                header: HTTPField.Name(ConsoleCookies.csrfHeader).flatMap { request.headers[$0] }, cookies: header)
        else {
            throw Problem.forbidden("The console's requests must carry its X-CSRF-Token.")
        }
        return header
    }

    private func session(_ issued: PasswordSessions.Issued) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        for cookie in cookies.setting(issued) { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        let body = #"{"expires_in":\#(issued.accessLifetime.components.seconds)}"#
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static var redirectToConsole: Response {
        Response(status: .seeOther, headers: [.location: "/console"])
    }

    /// The file named `name`, or `304` when the request's `If-None-Match` names its current entity tag.
    private static func asset(_ name: String, for request: Request) -> Response {
        guard let asset = ConsoleAssets.files[name] else {
            return Response(status: .notFound, headers: securityHeaders(type: "text/plain; charset=utf-8"))
        }
        var headers = securityHeaders(type: asset.type)
        headers[.eTag] = asset.entityTag
        let known = request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
        if known.contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.entityTag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    private static func securityHeaders(type: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }
}
