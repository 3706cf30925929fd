import Testing

@testable import BifrostStore

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (note text DEFAULT 'x;y');
            /* block; comment */
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            INSERT INTO "odd;name" VALUES ('it''s; fine');
            DO $$ BEGIN PERFORM 1; END $$;
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("CREATE TABLE a (note text DEFAULT 'x;y')"))
        #expect(statements[1].contains("$body$ SELECT 1; $body$ LANGUAGE sql"))
        #expect(statements[2] == "INSERT INTO \"odd;name\" VALUES ('it''s; fine')")
        #expect(statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
    }

    @Test func dropsEmptyAndCommentOnlyStatements() {
        #expect(SQLScript.statements(in: ";;  -- nothing\n ; /* nor */ ;").isEmpty)
        #expect(SQLScript.statements(in: "SELECT 1") == ["SELECT 1"])
    }

    @Test func positionalParameterIsNotADollarQuote() {
        #expect(SQLScript.statements(in: "SELECT $1; SELECT 2;").count == 2)
    }
}
