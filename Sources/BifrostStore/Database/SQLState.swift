/// The SQLSTATE codes the gateway tells apart (PostgreSQL's appendix A), in one place.
public enum SQLState {
    /// 23505: a unique index already holds the value.
    public static let uniqueViolation = "23505"
    /// 23514: a CHECK constraint refused the row.
    public static let checkViolation = "23514"
    /// 23502: a NOT NULL column was given none.
    public static let notNullViolation = "23502"
    /// 22001: a value is longer than its column allows.
    public static let stringDataRightTruncation = "22001"
    /// 22021: text that is not valid in the database's encoding (U+0000 above all).
    public static let characterNotInRepertoire = "22021"
    /// 22P02: text that does not convert to the column's type.
    public static let invalidTextRepresentation = "22P02"
    /// 22P05: a JSON escape PostgreSQL cannot store (`\u0000`).
    public static let untranslatableCharacter = "22P05"
    /// 22003: a number outside its column's range.
    public static let numericValueOutOfRange = "22003"

    /// Codes that mean the caller's data was refused, not that the database failed.
    static let refusedInput: Set<String> = [
        checkViolation, notNullViolation, stringDataRightTruncation, characterNotInRepertoire,
        invalidTextRepresentation, untranslatableCharacter, numericValueOutOfRange,
    ]
}
