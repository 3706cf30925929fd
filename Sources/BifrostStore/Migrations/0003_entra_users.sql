-- Users signed in through Microsoft Entra ID are linked to their Entra object id (`oid` claim) on first
-- sign-in, so a later change of email or UPN in Entra does not hand the account to someone else.
ALTER TABLE users ADD COLUMN entra_object_id text UNIQUE;
