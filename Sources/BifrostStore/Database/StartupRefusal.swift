/// An error that must stop start-up rather than be retried: the database is reachable but cannot be used as it
/// is (a migration PostgreSQL refuses, a master key that is not this database's).
public protocol StartupRefusal: Error {}
