-- Recording a webhook delivery is on the path of every signed request, so its row is made cheap to insert:
-- no foreign key (its check locked the organisation's row in every batch, a WAL record each time; a delivery is
-- recorded only after one of the organisation's active secrets verified it, and deleting an organisation
-- deletes its deliveries), and a BRIN index for the hourly sweep instead of a B-tree (rows arrive in
-- `received_at` order, so block ranges suffice).
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_organization_id_fkey;
DROP INDEX webhook_deliveries_received;
CREATE INDEX webhook_deliveries_received ON webhook_deliveries USING brin (received_at);
