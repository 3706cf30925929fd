import BifrostRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The console's sign-in through OpenID Connect issuers (`ConsoleSignIn`), public like the session routes:
///
/// - `GET /console/sign-in`: `[{name, label}]`, the issuers offering sign-in, one button each on the sign-in form.
/// - `GET /console/sign-in/{name}`: starts an attempt (the `bifrost_sign_in` cookie) and answers 303 to the
///   issuer's authorize address.
/// - `GET /console/sign-in/{name}/callback?code&state` (or `error`): where the issuer sends the browser back; sets
///   the session's cookies and answers 303 to `/console`.
///
/// Both browser routes clear the attempt's cookie once used and answer any failure with 303 to
/// `/console#/?sign_in_error=<why>`, which the sign-in form shows. Every query parameter is bounded in length.
struct ConsoleSignInRoutes: Sendable {
    let signIn: ConsoleSignIn
    let cookies: ConsoleCookies

    /// Longest `code` accepted (Entra's are 1 to 2 KB).
    static let maximumCodeLength = 4_096
    /// Longest `state` accepted (this gateway's are 43 characters).
    static let maximumStateLength = 128
    /// Longest `error` accepted (an OAuth error code).
    static let maximumErrorLength = 128

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/console/sign-in") { _, _ in try offered() }
        router.get("/console/sign-in/:name") { _, context in
            begin(try context.parameters.require("name"), logger: context.logger)
        }
        router.get("/console/sign-in/:name/callback") { request, context in
            try await callback(context.parameters.require("name"), request: request, logger: context.logger)
        }
    }

    private struct Offered: Encodable {
        var name: String
        var label: String
    }

    private func offered() throws -> Response {
        let list = signIn.issuers.map { Offered(name: $0.name, label: $0.settings.label) }
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(list))))
    }

    private func begin(_ name: String, logger: Logger) -> Response {
        do {
            let (attempt, location) = try signIn.begin(name)
            return redirect(to: location, setting: cookies.startingSignIn(attempt))
        } catch {
            return failed(error, issuer: name, logger: logger)
        }
    }

    private func callback(_ name: String, request: Request, logger: Logger) async -> Response {
        let query = request.uri.queryParameters
        func bounded(_ key: String, _ limit: Int) -> String? {
            query[key[...]].map(String.init).flatMap { (1...limit).contains($0.utf8.count) ? $0 : nil }
        }
        let cookie = ConsoleCookies.value(
            ConsoleCookies.signIn, in: request.headers[values: .cookie].joined(separator: "; "))
        do {
            let issued = try await signIn.complete(
                name, code: bounded("code", Self.maximumCodeLength), state: bounded("state", Self.maximumStateLength),
                error: query["error"].map { String($0.prefix(Self.maximumErrorLength)) },
                attempt: cookie.flatMap(SignInAttempt.init(cookieValue:))
            )
            var response = redirect(to: "/console", setting: cookies.clearingSignIn)
            for value in cookies.setting(issued) { response.headers.append(HTTPField(name: .setCookie, value: value)) }
            return response
        } catch {
            return failed(error, issuer: name, logger: logger)
        }
    }

    /// The 303 back to the sign-in form, saying why; the attempt's cookie is cleared.
    private func failed(_ error: any Error, issuer: String, logger: Logger) -> Response {
        let text: String
        if let failure = error as? ConsoleSignIn.Failure {
            text = failure.text
            logger.notice(
                "A console sign-in failed",
                metadata: ["bifrost.oidc.issuer": "\(issuer.prefix(64))", "error.message": "\(failure.text)"])
        } else {
            text = "The sign-in failed; try again."
            logger.error(
                "A console sign-in failed",
                metadata: ["bifrost.oidc.issuer": "\(issuer.prefix(64))", "error.type": "\(type(of: error))"])
        }
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "sign_in_error", value: text)]
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return redirect(to: "/console#/?" + query, setting: cookies.clearingSignIn)
    }

    private func redirect(to location: String, setting cookie: String) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers.append(HTTPField(name: .setCookie, value: cookie))
        return Response(status: .seeOther, headers: headers)
    }
}
