import BifrostOAuth
import Foundation
import Testing

/// Which addresses a connection's credentials may be sent to, judged without the network (an injected resolver).
@Suite struct ProviderURLPolicyTests {
    @Test func addressesAreSortedIntoTheRangesThatMatter() throws {
        let expected: [String: IPAddress.Range] = [
            "8.8.8.8": .publicInternet, "93.184.215.14": .publicInternet, "2606:4700::1111": .publicInternet,
            "127.0.0.1": .loopback, "127.8.9.10": .loopback, "::1": .loopback, "::ffff:127.0.0.1": .loopback,
            "10.0.0.1": .privateNetwork, "172.16.5.4": .privateNetwork, "172.31.255.255": .privateNetwork,
            "192.168.1.1": .privateNetwork, "fec0::1": .privateNetwork, "64:ff9b:1::a": .privateNetwork,
            "172.32.0.1": .publicInternet, "100.64.0.1": .sharedAddressSpace, "100.127.255.255": .sharedAddressSpace,
            "169.254.1.1": .linkLocal, "fe80::1": .linkLocal, "fd12:3456::1": .uniqueLocal, "fc00::1": .uniqueLocal,
            "169.254.169.254": .metadata, "100.100.100.200": .metadata, "fd00:ec2::254": .metadata,
            "::ffff:169.254.169.254": .metadata, "::ffff:10.0.0.1": .privateNetwork,
            "::ffff:0:10.0.0.1": .privateNetwork,
            "64:ff9b::a9fe:a9fe": .metadata, "2002:0a00:0001::1": .privateNetwork, "2002:0808:0808::1": .publicInternet,
            "0.0.0.0": .reserved, "::": .reserved, "255.255.255.255": .reserved, "224.0.0.1": .reserved,
            "192.0.2.1": .reserved, "2001:db8::1": .reserved, "ff02::1": .reserved, "2001::1": .reserved,
        ]
        for (text, range) in expected {
            let address = try #require(IPAddress(text), "\(text)")
            #expect(address.range == range, "\(text)")
        }
        #expect(IPAddress("[::1]")?.description == "::1")
        #expect(IPAddress("localhost") == nil)
        #expect(IPAddress("127.1") == nil)
    }

    @Test func theDefaultsAllowOnlyHTTPSToPublicAddresses() async throws {
        let names: [String: [String]] = [
            "idp.example": ["93.184.215.14"], "localhost": ["127.0.0.1", "::1"],
            "mixed.example": ["93.184.215.14", "10.0.0.1"],
            "rebound.example": ["169.254.169.254"], "intranet.example": ["10.20.30.40"],
        ]
        let resolver = HostResolver { host in (names[host] ?? []).compactMap(IPAddress.init) }
        let strict = ProviderURLPolicy(resolver: resolver)
        let accepted = try await strict.check("https://idp.example/oauth2/token")
        #expect(accepted.pinnedAddress == IPAddress("93.184.215.14"))
        #expect(try await strict.check("https://93.184.215.14/token").pinnedAddress == nil)
        let refusals: [String: ProviderURLPolicy.Refusal] = [
            "http://idp.example/token": .insecureScheme, "ftp://idp.example/token": .insecureScheme,
            "https://localhost/token": .address(.loopback), "http://127.0.0.1:8080/token": .address(.loopback),
            "https://mixed.example/token": .address(.privateNetwork), "https://rebound.example/": .address(.metadata),
            "http://169.254.169.254/latest/meta-data/": .address(.metadata),
            "http://10.0.0.1/": .address(.privateNetwork),
            "https://[::ffff:10.0.0.1]/token": .address(.privateNetwork), "https://unknown.example/token": .notResolved,
            "https://a:b@idp.example/token": .userInURL, "not a url": .notAURL, "https:///token": .notAURL,
            "https://93.184.215.14:70000/token": .port, "https://idp.example:0/token": .port,
        ]
        for (url, refusal) in refusals {
            await #expect(throws: refusal, "\(url)") { _ = try await strict.check(url) }
        }

        let development = ProviderURLPolicy(allowInsecureLoopback: true, resolver: resolver)
        #expect(try await development.check("http://localhost:8080/token").pinnedAddress == IPAddress("127.0.0.1"))
        #expect(try await development.check("http://[::1]:8080/token").pinnedAddress == nil)
        await #expect(throws: ProviderURLPolicy.Refusal.insecureScheme) {
            _ = try await development.check("http://idp.example/t")
        }
        await #expect(throws: ProviderURLPolicy.Refusal.address(.privateNetwork)) {
            _ = try await development.check("https://intranet.example/t")
        }

        let intranet = ProviderURLPolicy(allowPrivateNetworks: true, resolver: resolver)
        #expect(try await intranet.check("https://intranet.example/token").pinnedAddress == IPAddress("10.20.30.40"))
        await #expect(throws: ProviderURLPolicy.Refusal.insecureScheme) {
            _ = try await intranet.check("http://intranet.example/t")
        }
        await #expect(throws: ProviderURLPolicy.Refusal.address(.metadata)) {
            _ = try await intranet.check("https://rebound.example/")
        }
        await #expect(throws: ProviderURLPolicy.Refusal.address(.loopback)) {
            _ = try await intranet.check("https://localhost/")
        }
    }

    @Test func theSystemResolverReadsTheHostsFile() async throws {
        let addresses = try await HostResolver.system.addresses(of: "localhost")
        #expect(!addresses.isEmpty && addresses.allSatisfy { $0.range == .loopback })
    }

    @Test func onlyOAuthErrorCodesReachWhatAdminsSee() {
        #expect(TokenRequestFailure.sanitizedErrorCode("invalid_grant") == "invalid_grant")
        #expect(TokenRequestFailure.sanitizedErrorCode("<b>10.0.0.1</b>") == "invalid_response")
        #expect(TokenRequestFailure.sanitizedErrorCode(String(repeating: "a", count: 65)) == "invalid_response")
        #expect(
            TokenRequestFailure.rejected(code: "invalid_grant", status: 400).description == "invalid_grant (HTTP 400)")
        #expect(TokenRequestFailure.unavailable(status: nil).description == "provider unreachable")
    }
}
