import BifrostStore
import PostgresNIO
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesEveryPart() throws {
        let url = try DatabaseURL(parsing: "postgresql://app%40x:p%3Ass@db.internal:6543/bifrost?sslmode=require")
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.username == "app@x")
        #expect(url.password == "p:ss")
        #expect(url.database == "bifrost")
        #expect(url.tlsMode == .require)
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://app:hunter2@localhost/bifrost")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description.contains("***"))
        #expect(url.port == 5432)
        #expect(url.tlsMode == .prefer)
    }

    @Test func thePoolKeepsOpenWhatItIsAskedToAndChecksIdleConnectionsOnlyWhenAsked() throws {
        let url = try DatabaseURL(parsing: "postgres://app:pw@localhost/bifrost")
        let lazy = url.clientConfiguration()
        #expect(lazy.options.maximumConnections == 20)
        #expect(lazy.options.minimumConnections == 0)
        #expect(lazy.options.keepAliveBehavior == nil)
        let fixed = url.clientConfiguration(maximumConnections: 3, minimumConnections: 10, keepAlive: .seconds(45))
        #expect(fixed.options.minimumConnections == 3)
        #expect(fixed.options.keepAliveBehavior?.frequency == .seconds(45))
    }

    @Test func roundTripsThroughTheStringWithPassword() throws {
        let url = try DatabaseURL(parsing: "postgres://app:p%40ss%2Fw@localhost:5000/db?sslmode=disable")
        let again = try DatabaseURL(parsing: url.urlStringWithPassword)
        #expect(again.password == "p@ss/w")
        #expect(again.port == 5000)
    }

    /// URLComponents hands user, password and path over decoded; they were once decoded a second time, so a
    /// literal `%41` in a password became `A`.
    @Test func decodesPercentEscapesOnce() throws {
        let url = try DatabaseURL(parsing: "postgres://a%2541:p%2541@h/d%2541")
        #expect(url.username == "a%41")
        #expect(url.password == "p%41")
        #expect(url.database == "d%41")
    }

    /// The database is the path without its leading slashes, counted as scalars: a combining mark first in the
    /// name once made one `Character` with the slash before it, which then stayed in the name.
    @Test func dropsTheSlashBeforeADatabaseNameStartingWithACombiningMark() throws {
        let url = try DatabaseURL(parsing: "postgres://u@h/%CC%81db")
        #expect(url.database == "\u{301}db")
        #expect(try DatabaseURL(parsing: url.urlStringWithPassword).database == "\u{301}db")
    }

    /// `urlStringWithPassword` escapes a `:` in the user name, which URLComponents' `user` setter leaves as it
    /// is (so that the name once ended there and the rest became the password).
    @Test func roundTripsAColonInTheUserName() throws {
        let url = try DatabaseURL(parsing: "postgresql://app%3Ass:pw@db.internal/bifrost")
        let again = try DatabaseURL(parsing: url.urlStringWithPassword)
        #expect(again.username == "app:ss")
        #expect(again.password == "pw")
    }

    /// A port URLComponents cannot read (beyond `Int`) once became the default 5432, silently; 0 and 65536 are no
    /// TCP ports.
    @Test(arguments: ["postgres://a@h:99999999999999999999/d", "postgres://a@h:0/d", "postgres://a@h:65536/d"])
    func refusesPortsNoClientCanUse(_ text: String) {
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: text) }
    }

    @Test func keepsEveryTCPPortAndTheDefault() throws {
        #expect(try DatabaseURL(parsing: "postgres://a@h:65535/d").port == 65535)
        #expect(try DatabaseURL(parsing: "postgres://a@h:1/d").port == 1)
        #expect(try DatabaseURL(parsing: "postgres://a@h:/d").port == 5432)
    }

    /// A host that needs escapes is no name or address, and URLComponents cannot write it back: the string with
    /// the password once fell back to `description`, with `***` for the password.
    @Test(arguments: ["postgres://a@h%20x/d", "postgres://a@h%25s/d", "postgres://a@b%C3%BCcher.example/d"])
    func refusesHostsThatNeedEscapes(_ text: String) {
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: text) }
    }

    @Test func keepsHostNamesAndIPAddresses() throws {
        #expect(try DatabaseURL(parsing: "postgres://a@[::1]:1/d").host == "[::1]")
        #expect(try DatabaseURL(parsing: "postgres://a@db-1.internal_x/d").host == "db-1.internal_x")
        #expect(try DatabaseURL(parsing: "postgres://a@127.0.0.1/d").host == "127.0.0.1")
    }

    @Test(arguments: [
        "mysql://a@b/c", "postgres:///nohost", "not a url", "postgres://@host/db", "postgres://a@h/d?sslmode=maybe",
    ])
    func refusesMalformedURLs(_ text: String) {
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: text) }
    }
}
