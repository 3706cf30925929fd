package import AsyncHTTPClient
import Foundation
package import JWTKit
package import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Downloads an issuer's JSON Web Key Set, discovering its location from the issuer's metadata when needed.
package struct JWKSFetcher: Sendable {
    package let http: HTTPClient
    /// Largest document accepted; key sets are a few kilobytes.
    package static let maximumSize = 1 << 20
    /// Longest one request may take (`oidc.keyFetchTimeout`).
    package let timeout: TimeAmount

    /// The key set at `jwksURI`, or at the `jwks_uri` of `issuer`'s OpenID configuration when that is nil.
    package func keySet(issuer: String, jwksURI: String?) async throws -> JWKS {
        let location: String
        if let jwksURI {
            location = jwksURI
        } else {
            let metadataURL = issuer.trimmingSuffix("/") + "/.well-known/openid-configuration"
            location = try JSONDecoder().decode(ProviderMetadata.self, from: try await get(metadataURL)).jwksURI
        }
        return try JSONDecoder().decode(JWKS.self, from: try await get(location))
    }

    private func get(_ url: String) async throws -> Data {
        // An issuer's metadata names the key set's URL; HTTP clients trap on a port that is not 16 bits.
        guard let parsed = URL(string: url), parsed.host != nil, (1...65_535).contains(parsed.port ?? 443)
        else { throw JWKSFetchError.invalidURL(url) }
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: timeout)
        guard response.status == .ok else { throw JWKSFetchError.status(url: url, code: response.status.code) }
        return Data(buffer: try await response.body.collect(upTo: Self.maximumSize))
    }

    private struct ProviderMetadata: Decodable {
        var jwksURI: String
        enum CodingKeys: String, CodingKey { case jwksURI = "jwks_uri" }
    }
}

/// Why a key set could not be fetched.
package enum JWKSFetchError: Error, CustomStringConvertible {
    case status(url: String, code: UInt)
    case invalidURL(String)

    package var description: String {
        switch self {
        case .status(let url, let code): "GET \(url) answered HTTP \(code)"
        case .invalidURL(let url): "\(url) is not an http(s) URL with a host and a port from 1 to 65535"
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
