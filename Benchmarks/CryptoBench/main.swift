// Encrypt + decrypt of a 256-byte secret with a cached data key, through BifrostCrypto (OpenSSL EVP), per
// operation: prints the median of `rounds` rounds of `count` seal+open pairs, in nanoseconds per pair.
// Usage: crypto-bench [count] [rounds]
import BifrostCrypto
import Foundation

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let key = SecretKey.random()
let secret = SecureRandom.bytes(256)
let context = Array("bifrost:secret:organization:0f3c:graph_client_secret:data-key-v1".utf8)

var perPair: [Double] = []
for _ in 0..<rounds {
    let start = ContinuousClock.now
    for _ in 0..<count {
        let sealed = try AESGCM.seal(secret, key: key, associatedData: context)
        let opened = try AESGCM.open(sealed, key: key, associatedData: context)
        precondition(opened.count == 256)
    }
    let elapsed = ContinuousClock.now - start
    perPair.append(Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9)
}
let median = perPair.sorted()[perPair.count / 2] / Double(count)
print(String(format: "bifrost seal+open 256 B: %.0f ns per pair (median of %d rounds of %d)", median, rounds, count))
