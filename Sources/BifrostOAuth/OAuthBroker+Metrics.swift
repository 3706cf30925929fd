import BifrostStore
import BifrostTelemetry
import Metrics

extension OAuthBroker {
    /// The `provider` label of `connection`: its catalogue provider's name, or `other` for a name the catalogue
    /// does not know (label values stay a bounded set; never the connection's own name or tenant).
    func providerLabel(of connection: OAuthConnection) -> String {
        catalogue.providers[connection.provider] == nil ? "other" : connection.provider
    }

    /// Runs one call to a token endpoint and counts it by provider and outcome
    /// (`bifrost_oauth_token_requests_total`); what `request` throws is rethrown.
    func countingTokenRequest(
        of connection: OAuthConnection, _ request: () async throws -> IssuedTokens
    ) async throws -> IssuedTokens {
        do {
            let issued = try await request()
            count(.issued, of: connection)
            return issued
        } catch let failure as TokenRequestFailure {
            count(Self.outcome(of: failure), of: connection)
            throw failure
        } catch {
            count(.unavailable, of: connection)
            throw error
        }
    }

    private func count(_ outcome: TokenRequestOutcome, of connection: OAuthConnection) {
        Counter(
            label: MetricName.oauthTokenRequests,
            dimensions: [("provider", providerLabel(of: connection)), ("outcome", outcome.rawValue)],
            factory: metrics
        ).increment()
    }

    /// The `outcome` label of a failed token request.
    static func outcome(of failure: TokenRequestFailure) -> TokenRequestOutcome {
        if failure.needsReauth { return .refused }
        switch failure {
        case .rejected: return .rejected
        case .unavailable: return .unavailable
        case .destinationRefused: return .blocked
        }
    }
}
