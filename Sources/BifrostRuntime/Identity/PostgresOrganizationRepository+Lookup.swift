import BifrostStore

extension PostgresOrganizationRepository: OrganizationLookup {}
